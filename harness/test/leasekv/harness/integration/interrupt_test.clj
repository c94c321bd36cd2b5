(ns ^:integration leasekv.harness.integration.interrupt-test
  "Ctrl-C: a real `test` command in its own JVM gets SIGINT mid-run; its shutdown hook must abort
  the run, heal, download logs, tear everything down and store the run as aborted."
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

(deftest ^:integration ctrl-c-heals-tears-down-and-stores-an-aborted-run
  (support/call-with-results-dir
   (fn [dir]
     (let [log-file (io/file dir "out.log")
           pb (doto (ProcessBuilder. ["java" "-cp" (classpath) "clojure.main" "-m" "leasekv.harness.cli"
                                      "test" "--db" "etcd" "--time-limit" "120" "--nemesis" "partition,pause"
                                      "--nemesis-interval" "2" "--results-dir" (str dir)])
                (.redirectErrorStream true)
                (.redirectOutput log-file))
           p (.start pb)]
       (try
         (util/await-fn #(str/includes? (slurp log-file) "[progress]")
                        {:timeout-ms 120000 :interval-ms 500 :what "the run to make progress"})
         (Thread/sleep 3000)
         (shell/run! ["kill" "-INT" (str (.pid p))])
         (is (.waitFor p 180 TimeUnit/SECONDS) "the harness exits after cleaning up")
         (is (= 130 (.exitValue p)) "the conventional status of a process ended by SIGINT")
         (finally (when (.isAlive p) (.destroyForcibly p))))
       (let [out (slurp log-file)
             run (store/resolve-run (str dir) nil)]
         (is (str/includes? out "Interrupted: aborting the run"))
         (is (str/includes? out "=== heal done"))
         (is (str/includes? out "=== teardown done"))
         (is (empty? (local/harness-namespaces)) "no namespace left")
         (is (not (zero? (:exit (shell/run ["pgrep" "-f" "etcd --name n[1-5] --data-dir /var/tmp/leasekv-harness"]))))
             "no etcd left")
         (is (:aborted? (store/read-edn (io/file run "results.edn"))))
         (is (.exists (io/file run "n1" "etcd.log")) "logs were downloaded")
         (is (pos? (count (str/split-lines (slurp (io/file run "history.edn")))))))))))
