(ns ^:integration leasekv.harness.integration.interrupt-test
  "Ctrl-C and SIGTERM (what schedulers send): a real `test` command in its own JVM gets the signal
  mid-run; its shutdown hook must abort the run, heal, download logs, tear everything down and
  store the run as aborted, with its history.

  The child starts through `env --default-signal=INT,TERM` (support/with-default-signals): a JVM
  started with SIGINT ignored (as under `nohup ... &` and some CI runners, which the test JVM
  passes on, and Java's ProcessBuilder does not reset) installs no handler for it, and would run
  to its end. The wrapper makes the outcome independent of how the suite was started; without it,
  and with a signal ignored here, the test is skipped with the reason printed."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.control.local :as local]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.integration.support :as support]
            [leasekv.harness.store :as store]
            [leasekv.harness.util :as util])
  (:import (java.util.concurrent TimeUnit)))

(defn- classpath []
  (System/getProperty "java.class.path"))

(defn- interrupt-run!
  "Starts `lein run test` (as its JVM) with args, waits for its first progress line, sends signal
  and checks the run was cleaned up and stored as aborted, with the exit status 128 + signal."
  [signal args]
  (if-let [command (support/with-default-signals
                     (into ["java" "-cp" (classpath) "clojure.main" "-m" "leasekv.harness.cli"
                            "test" "--db" "etcd" "--time-limit" "120"] args))]
    (support/call-with-results-dir
     (fn [dir]
       (let [log-file (io/file dir "out.log")
             pb (doto (ProcessBuilder. ^java.util.List (into command ["--results-dir" (str dir)]))
                  (.redirectErrorStream true)
                  (.redirectOutput log-file))
             p (.start pb)]
         (try
           (util/await-fn #(str/includes? (slurp log-file) "[progress]")
                          {:timeout-ms 120000 :interval-ms 500 :what "the run to make progress"})
           (Thread/sleep 3000)
           (shell/run! ["kill" (str "-" signal) (str (.pid p))])
           (is (.waitFor p 180 TimeUnit/SECONDS) "the harness exits after cleaning up")
           (is (= (+ 128 (support/signal-number signal)) (.exitValue p)) "the conventional status of a process ended by the signal")
           (finally (when (.isAlive p) (.destroyForcibly p))))
         (let [out (slurp log-file)
               run (store/resolve-run (str dir) nil)]
           (is (str/includes? out "Interrupted: aborting the run"))
           (is (str/includes? out "=== heal done"))
           (is (str/includes? out "=== teardown done"))
           (is (str/includes? out "Verdict: :unknown -> ") "the summary of the aborted run")
           (is (empty? (local/harness-namespaces)) "no namespace left")
           (is (not (zero? (:exit (shell/run ["pgrep" "-f" "etcd --name n[1-5] --data-dir /var/tmp/leasekv-harness"]))))
               "no etcd left")
           (is (:aborted? (store/read-edn (io/file run "results.edn"))))
           (is (.exists (io/file run "n1" "etcd.log")) "logs were downloaded")
           (is (pos? (count (str/split-lines (slurp (io/file run "history.edn"))))) "the history is kept")))))
    (support/skip! (str "interrupt-test SIG" signal))))

(deftest ^:integration ctrl-c-heals-tears-down-and-stores-an-aborted-run
  (interrupt-run! "INT" ["--nemesis" "partition,pause" "--nemesis-interval" "2"]))

(deftest ^:integration sigterm-does-the-same
  (interrupt-run! "TERM" ["--nodes" "n1,n2,n3" "--nemesis" "kill" "--nemesis-interval" "2"]))
