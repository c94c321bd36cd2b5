(ns leasekv.harness.control
  "How the harness reaches a node. A Remote runs shell commands, copies files and starts daemons
  on a named node; the DB and nemesis code only ever talk to this protocol, so they run unchanged
  on the `local` remote (network namespaces on this machine) and on the `ssh` remote (real VMs).

  Commands are POSIX shell strings; build them with `escape`/`join` so arguments survive quoting."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [leasekv.harness.log :as log])
  (:import (java.io IOException)
           (java.nio.charset StandardCharsets)
           (java.nio.file Files)))

(defprotocol Remote
  (setup-cluster! [remote nodes]
    "Takes the node names. Makes every node reachable (the local remote creates namespaces; the
    ssh remote connects), cleaning leftovers of a crashed earlier run first. Returns nil.")
  (teardown-cluster! [remote]
    "Removes everything setup-cluster! created and disconnects. Idempotent. Returns nil.")
  (address [remote node]
    "Returns the IP address (a string) at which the other nodes and the harness reach node.")
  (exec* [remote node cmd opts]
    "Takes a shell command string and {:timeout-ms n, :stdin string}. Runs it on node (as root).
    Returns {:exit int, :out string, :err string}; never throws for a non-zero exit.")
  (upload! [remote node local-path remote-path]
    "Copies a local file to remote-path on node (parents created). Returns nil.")
  (download! [remote node remote-path local-path]
    "Copies remote-path on node to a local file (parents created). Returns nil.")
  (start-daemon! [remote node opts]
    "Takes {:cmd [program & args], :logfile path, :pidfile path, :chdir dir, :env {k v}}. Starts
    the program in the background on node, detached from the harness (own session, stdin from
    /dev/null, stdout and stderr appended to logfile) and writes its pid to pidfile. Returns the
    pid (a long)."))

(defprotocol SharedFilesystem
  "A marker for remotes whose nodes see the harness's own filesystem (the local remote's network
  namespaces): a file the harness writes there is on every node already, at the same path.")

(defn shares-filesystem?
  "True when remote's nodes see the harness's filesystem (see SharedFilesystem)."
  [remote]
  (satisfies? SharedFilesystem remote))

(defprotocol SharedProcesses
  "A marker for remotes whose nodes' processes run on the harness's own machine, in its pid
  namespace and filesystem (the local remote): a daemon's pidfile and /proc entry are read
  directly instead of with a command on the node. On this 2-core VM a command costs ~5 ms of CPU
  in process spawns, and await-daemon!, the nemeses and teardown ask often.")

(defn escape
  "Returns s quoted for a POSIX shell (single quotes), so it reaches the program unchanged."
  [s]
  (let [s (str s)]
    (if (re-matches #"[A-Za-z0-9_./=:,@%+-]+" s)
      s
      (str "'" (str/replace s "'" "'\"'\"'") "'"))))

(defn join
  "Takes command words; returns one shell command line with every word escaped."
  [& words]
  (str/join " " (map escape (flatten words))))

(defn exec-result
  "Runs cmd on node and returns {:exit :out :err} (see exec*). Default timeout 60 s."
  ([remote node cmd] (exec-result remote node cmd {}))
  ([remote node cmd opts] (exec* remote node cmd (merge {:timeout-ms 60000} opts))))

(defn exec!
  "Runs cmd on node. Returns its trimmed stdout. Throws ex-info naming the node, the command, the
  exit status and stderr when the exit status is not 0."
  ([remote node cmd] (exec! remote node cmd {}))
  ([remote node cmd opts]
   (let [{:keys [exit out err]} (exec-result remote node cmd opts)]
     (when-not (zero? exit)
       (throw (ex-info (str "Command failed on " node " (exit " exit "): " cmd
                            (when-not (str/blank? err) (str ": " (str/trim err))))
                       {:type :exec-failed :node node :cmd cmd :exit exit :out out :err err})))
     (str/trim out))))

(defn daemon-command
  "Takes start-daemon! options. Returns the shell line that starts the program detached and
  prints its pid. `setsid` gives it its own session, so a Ctrl-C at the harness never reaches it
  and the harness's exit does not kill it; `exec` keeps the printed pid the program's own."
  [{:keys [cmd logfile pidfile chdir env]}]
  (let [dirs (distinct (keep identity [chdir (some-> logfile (str/replace #"/[^/]*$" ""))
                                       (some-> pidfile (str/replace #"/[^/]*$" ""))]))
        env-words (map (fn [[k v]] (str (name k) "=" (escape v))) env)]
    (str (when (seq dirs) (str "mkdir -p " (apply join dirs) " && "))
         (when chdir (str "cd " (escape chdir) " && "))
         "{ " (str/join " " env-words) (when (seq env-words) " ")
         "setsid " (apply join cmd) " >> " (escape logfile) " 2>&1 < /dev/null & } ; "
         "echo $! > " (escape pidfile) " ; echo $!")))

(defn start-daemon-via-exec!
  "Implements start-daemon! for remotes whose exec* already runs inside the node."
  [remote node opts]
  (let [out (exec! remote node (daemon-command opts))]
    (log/info! "Started" (first (:cmd opts)) "on" node "pid" out)
    (Long/parseLong out)))

(defn- shell-daemon-pid [remote node pidfile]
  (let [{:keys [exit out]} (exec-result remote node
                                        (str "p=$(cat " (escape pidfile) " 2>/dev/null) && "
                                             "kill -0 \"$p\" 2>/dev/null && "
                                             "! grep -q '^State:.*Z' /proc/$p/status && echo $p"))]
    (when (zero? exit) (Long/parseLong (str/trim out)))))

(defn- live-pid
  "Returns the pid in pidfile (a path on this machine) if that process exists and is not a
  zombie, else nil: what daemon-pid's shell line checks, without the shell."
  [pidfile]
  (let [f (io/file pidfile)]
    (when-let [pid (when (.isFile f) (parse-long (str/trim (slurp f))))]
      ;; Files/readAllBytes, not slurp: slurp asks the stream's available(), which procfs refuses.
      ;; Latin-1 decodes any byte (a process name need not be UTF-8).
      (let [status (try (String. (Files/readAllBytes (.toPath (io/file "/proc" (str pid) "status")))
                                 StandardCharsets/ISO_8859_1)
                        (catch IOException _ nil))]
        (when (and status (not (re-find #"(?m)^State:\s*Z" status)))
          pid)))))

(defn daemon-pid
  "Returns the pid recorded in pidfile on node if that process is alive, else nil."
  [remote node pidfile]
  (if (satisfies? SharedProcesses remote)
    (live-pid pidfile)
    (shell-daemon-pid remote node pidfile)))

(defn signal-daemon!
  "Sends signal (a name such as KILL, STOP, CONT, TERM) to the daemon whose pid is in pidfile on
  node, if it is alive. Returns true when a signal was sent."
  [remote node pidfile signal]
  (if-let [pid (daemon-pid remote node pidfile)]
    ;; The process may exit between the check and the kill: that is not an error.
    (let [{:keys [exit err] :as r} (exec-result remote node (join "kill" (str "-" signal) pid))]
      (cond (zero? exit) true
            (str/includes? (str err) "No such process") false
            :else (throw (ex-info (str "kill -" signal " " pid " failed on " node ": " (str/trim (str err)))
                                  (assoc r :type :exec-failed :node node)))))
    false))

(defn kill-daemon!
  "SIGKILLs the daemon of pidfile on node and waits (up to 10 s) until it is gone. Returns true
  when it was running."
  [remote node pidfile]
  (let [sent? (signal-daemon! remote node pidfile "KILL")]
    (when sent?
      (loop [i 0]
        (when (and (daemon-pid remote node pidfile) (< i 100))
          (Thread/sleep 100)
          (recur (inc i)))))
    sent?))

(defn tail
  "Returns the last n lines of path on node (empty when it cannot be read)."
  [remote node path n]
  (:out (exec-result remote node (str "tail -n " (long n) " " (escape path) " 2>/dev/null"))))

(defn await-daemon!
  "Calls ready? (no arguments) until it returns truthy, like util/await-fn, but gives up at once
  when the daemon of pidfile on node has died, throwing ex-info with the end of its logfile.
  Returns ready?'s value."
  [remote node {:keys [pidfile logfile what timeout-ms] :or {timeout-ms 90000}} ready?]
  (let [deadline (+ (System/nanoTime) (* 1000000 (long timeout-ms)))]
    ;; ready? is polled every 100 ms (a node that is up is seen at once); whether the daemon
    ;; still lives, a command on the node, only every 5th time.
    (loop [i 0]
      (let [v (try (ready?) (catch Exception _ nil))]
        (cond
          v v
          (and (zero? (mod i 5)) (not (daemon-pid remote node pidfile)))
          (throw (ex-info (str what " on " node " exited during startup; end of " logfile ":\n"
                               (tail remote node logfile 20))
                          {:type :daemon-died :node node}))
          (> (System/nanoTime) deadline)
          (throw (ex-info (str "Timed out after " timeout-ms " ms waiting for " what " on " node
                               "; end of " logfile ":\n" (tail remote node logfile 20))
                          {:type :timeout :node node}))
          :else (do (Thread/sleep 100) (recur (inc i))))))))
