(ns ^:integration leasekv.harness.integration.nightly-test
  "`lein run nightly` for real on the local cluster of this process's LEASEKV_SLOT: two short
  leasekv runs (sync and nosync) are valid and the summary links them; a run that crashes (a
  store jar that does not exist) makes the nightly exit 255 and is linked as crashed."
  (:require [clojure.data.json :as json]
            [clojure.edn :as edn]
            [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.cli :as cli]
            [leasekv.harness.integration.support :as support]))

(defn- summary-json [results-dir]
  (json/read-str (slurp (io/file results-dir "nightly" "latest" "summary.json"))))

(deftest ^:integration short-nightly-is-valid-and-links-its-runs
  (support/call-with-results-dir
   (fn [dir]
     (let [code (cli/run-command ["nightly" "--workloads" "register" "--nemeses" "partition,kill"
                                  "--fsm-sync-modes" "sync,nosync" "--read-modes" "read-index"
                                  "--time-limit" "10" "--nemesis-interval" "2" "--results-dir" dir])
           s (summary-json dir)
           summary-dir (io/file dir "nightly" "latest")]
       (is (= 0 code))
       (is (= 0 (get s "exit-code")))
       (is (true? (get s "complete")))
       (is (= ["valid" "valid"] (map #(get % "verdict") (get s "runs"))))
       (doseq [r (get s "runs")
               :let [run (io/file summary-dir (get r "run-dir"))]]
         (testing (get r "name")
           (is (true? (:valid? (edn/read-string (slurp (io/file run "results.edn"))))))
           (is (= [(get r "fsm-sync-mode") "read-index"]
                  ((juxt :fsm-sync-mode :read-mode) (edn/read-string (slurp (io/file run "test.edn")))))
               "the run used its cell's modes")
           (is (pos? (get r "ops")))))
       (is (str/includes? (slurp (io/file summary-dir "summary.md")) "**PASSED**: 2 of 2 runs done"))))))

(deftest ^:integration a-crashed-run-fails-the-nightly
  (support/call-with-results-dir
   (fn [dir]
     (let [code (cli/run-command ["nightly" "--workloads" "register" "--nemeses" "kill"
                                  "--fsm-sync-modes" "nosync" "--read-modes" "lease" "--time-limit" "10"
                                  "--store-jar" (str dir "/no-such-store.jar") "--results-dir" dir])
           [r] (get (summary-json dir) "runs")]
       (is (= 255 code))
       (is (= "crashed" (get r "verdict")))
       (is (str/includes? (get r "error") "no-such-store.jar"))
       (is (.exists (io/file dir "nightly" "latest" (get r "run-dir") "results.edn"))
           "the crashed run is linked")))))
