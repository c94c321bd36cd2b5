(ns leasekv.harness.usage
  "Exit codes and usage errors, shared by every `lein run` command. As in Jepsen's CLI, 254 means
  invalid arguments (a usage error: nothing was run) and 255 an internal error (crashed); a run
  itself exits 0 valid, 1 invalid, 2 unknown, and 130 after a Ctrl-C.")

(def invalid-arguments 254)
(def crashed 255)

(defn fail!
  "Prints msg to stderr and, last, one line pointing at the command's --help (not the option
  table, which would scroll the error away). command is the subcommand's name, or nil for
  `lein run` itself. Returns 254, the exit code of a usage error."
  [msg command]
  (binding [*out* *err*]
    (println msg)
    (println (str "See `lein run " (when command (str command " ")) "--help`.")))
  invalid-arguments)
