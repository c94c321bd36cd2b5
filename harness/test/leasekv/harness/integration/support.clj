(ns leasekv.harness.integration.support
  "Helpers for the integration tests: a results directory per test that is removed when the
  test passed and kept (and named) when it failed, for inspection."
  (:require [clojure.string :as str]
            [clojure.test :as t]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.log :as log])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(def ^:private signal-numbers {"INT" 2 "TERM" 15})

(defn signal-number [signal] (signal-numbers signal))

(defn ignored-here?
  "True when this process ignores the signal (\"INT\", \"TERM\"; SigIgn in /proc/self/status), as a
  child it starts would: Java's ProcessBuilder passes ignored signals on."
  [signal]
  (let [line (some #(when (str/starts-with? % "SigIgn:") %) (str/split-lines (slurp "/proc/self/status")))
        mask (Long/parseUnsignedLong (str/trim (subs line 7)) 16)]
    (bit-test mask (dec (signal-numbers signal)))))

(defn with-default-signals
  "Takes a command (argv). Returns it started through `env --default-signal=INT,TERM`, so that it
  gets SIGINT and SIGTERM at their default disposition however this suite was started (under
  `nohup ... &` SIGINT is ignored, and a JVM that inherits that installs no handler for it), or
  nil when this machine's env cannot do that and the suite ignores one of them (the caller then
  skips, saying why)."
  [argv]
  (let [prefix ["env" "--default-signal=INT,TERM"]]
    (cond (zero? (:exit (shell/run (conj prefix "true")))) (into prefix argv)
          (some ignored-here? (keys signal-numbers)) nil
          :else argv)))

(defn skip!
  "Prints why a test that must signal a child is skipped. Returns nil."
  [test-name]
  (println (str "SKIPPED " test-name ": this JVM ignores SIGINT or SIGTERM (started under nohup or by a "
                "runner that ignores them) and `env --default-signal` is missing, so a child could not "
                "receive them")))

(defn temp-dir
  "Creates and returns a fresh temporary directory (a path string) with the given prefix."
  [prefix]
  (str (Files/createTempDirectory prefix (make-array FileAttribute 0))))

(defn- problems [] (let [c @t/*report-counters*] (+ (:fail c 0) (:error c 0))))

(defn call-with-results-dir
  "Calls f with a new results directory. Deletes it afterwards when no assertion failed inside f;
  otherwise logs where it is."
  [f]
  (let [dir (temp-dir "leasekv-harness-it")
        before (problems)]
    (try (f dir)
         (finally
           (if (= before (problems))
             (shell/run ["rm" "-rf" dir])
             (log/warn! "Test failed; its runs are kept in" dir))))))
