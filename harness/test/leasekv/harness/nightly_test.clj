(ns leasekv.harness.nightly-test
  "The nightly's plan, summary and exit code, without a cluster: run-plan! is driven by a
  function that returns chosen outcomes (the real runs are in the integration test and in
  `make nightly-short`)."
  (:require [clojure.data.json :as json]
            [clojure.tools.cli]
            [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.cli :as cli]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nightly :as nightly]
            [leasekv.harness.nightly.summary :as summary]
            [leasekv.harness.tests :as tests])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(defn- temp-dir [] (str (Files/createTempDirectory "leasekv-nightly-test" (make-array FileAttribute 0))))

(def base-opts {:db "leasekv" :time-limit 20 :nemesis-interval 5.0 :results-dir "results"})

(deftest defaults-come-from-the-registries
  (let [cells (nightly/plan base-opts)
        workloads (sort (keys tests/workloads))
        faults (sort (map name nemesis/faults))]
    (testing "every registered workload, each registered fault alone and all together, both modes"
      (is (= (set workloads) (set (map :workload cells))))
      (is (= (set (conj faults (str/join "," faults))) (set (map :nemesis cells))))
      (is (= #{"sync" "nosync"} (set (map :fsm-sync-mode cells))))
      (is (= #{"lease" "read-index"} (set (map :read-mode cells))))
      (is (= (* (count workloads) (inc (count faults)) 2 2) (count cells))))
    (is (= (range 1 (inc (count cells))) (map :index cells)))
    (is (apply distinct? (map :name cells)) "every cell stores its runs under its own name")))

(deftest subsets-of-each-dimension
  (let [cells (nightly/plan (assoc base-opts :workloads "set" :nemeses "kill,partition; pause"
                                   :fsm-sync-modes "nosync" :read-modes "read-index,lease"))]
    (is (= [["set" "kill,partition" "nosync" "read-index"] ["set" "kill,partition" "nosync" "lease"]
            ["set" "pause" "nosync" "read-index"] ["set" "pause" "nosync" "lease"]]
           (map (juxt :workload :nemesis :fsm-sync-mode :read-mode) cells)))
    (is (= "leasekv-set-kill+partition-nosync-read-index" (:name (first cells)))))
  (testing "a fault set is normalised, so the same set twice runs once"
    (is (= ["kill,partition"] (map :nemesis (nightly/plan (assoc base-opts :workloads "set" :nemeses "partition,kill;kill,partition"
                                                                 :fsm-sync-modes "sync" :read-modes "lease"))))))
  (testing "another DB has no leasekv modes, and only the workloads that run on it"
    (is (= [[nil nil]] (map (juxt :fsm-sync-mode :read-mode)
                            (nightly/plan (assoc base-opts :db "etcd" :workloads "register" :nemeses "kill")))))
    (let [ws (set (map :workload (nightly/plan (assoc base-opts :db "etcd" :nemeses "kill"))))]
      (is (contains? ws "register"))
      (is (not-any? ws ["lease" "crash"]) "those two need leasekv"))
    (is (thrown-with-msg? clojure.lang.ExceptionInfo #"The lease workload needs --db leasekv"
                          (nightly/plan (assoc base-opts :db "etcd" :workloads "lease" :nemeses "kill")))))
  (testing "a cell's test options"
    (let [o (nightly/cell-options (assoc base-opts :workloads "x" :dry-run true)
                                  {:workload "register" :nemesis "partition" :fsm-sync-mode "sync" :read-mode "lease"})]
      (is (= ["register" "partition" "sync" "lease" 1] ((juxt :workload :nemesis :fsm-sync-mode :read-mode :test-count) o)))
      (is (not-any? #(contains? o %) [:workloads :dry-run])))))

(deftest named-schedules-as-nemeses
  (let [[cell] (nightly/plan (assoc base-opts :workloads "lease" :nemeses "schedule:isolate-leader"
                                    :fsm-sync-modes "nosync" :read-modes "lease"))
        o (nightly/cell-options base-opts cell)]
    (is (= "schedule:isolate-leader" (:nemesis cell)))
    (is (= "isolate-leader" (:schedule o)))
    (is (not (contains? o :nemesis)))
    (is (= "leasekv-lease-isolate-leader-nosync-lease" (:name cell)))
    (testing "the test it builds runs that schedule's faults"
      (let [t (tests/build-test (merge {:nodes "n1,n2,n3,n4,n5" :concurrency "2n" :rate 10.0 :ops-per-key 10
                                        :threads-per-key 2 :request-timeout-ms 1000 :base-dir "/tmp/x"}
                                       o))]
        (is (= #{:partition} (:faults t)))
        (is (= "nosync" (:fsm-sync-mode t)))
        (is (= "lease" (:read-mode t))))))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"Unknown schedule `no-such`"
                        (nightly/plan (assoc base-opts :nemeses "schedule:no-such")))))

(deftest nightly-defaults-for-time
  (let [{:keys [options]} (clojure.tools.cli/parse-opts [] nightly/options)]
    (is (= nightly/default-time-limit-secs (:time-limit options)))
    (is (= nightly/default-nemesis-interval-secs (:nemesis-interval options)))
    (is (= "sync,nosync" (:fsm-sync-modes options))))
  (let [{:keys [options]} (clojure.tools.cli/parse-opts ["--time-limit" "90"] nightly/options)]
    (is (= 90 (:time-limit options)))))

(deftest the-estimate-counts-lazyfs-runs-longer
  (let [{:keys [options]} (clojure.tools.cli/parse-opts ["--workloads" "register" "--nemeses" "kill;power-loss"
                                                         "--fsm-sync-modes" "nosync" "--read-modes" "lease"]
                                                        nightly/options)
        cells (nightly/plan options)
        base (+ nightly/default-time-limit-secs nightly/setup-overhead-secs)]
    (is (= [base (+ base nightly/lazyfs-overhead-secs)] (map :estimated-seconds cells)))
    (is (= (+ base base nightly/lazyfs-overhead-secs) (nightly/estimate-secs cells)))))

(deftest bad-dimensions-are-named
  (doseq [[opts msg] [[{:workloads "register,queue"} "Unknown value `queue` in --workloads"]
                      [{:nemeses "partition;teleport"} "Unknown fault `teleport`"]
                      [{:fsm-sync-modes "sometimes"} "Unknown value `sometimes` in --fsm-sync-modes"]
                      [{:read-modes "psychic"} "Unknown value `psychic` in --read-modes"]
                      [{:workloads " , "} "--workloads names nothing"]]]
    (is (thrown-with-msg? clojure.lang.ExceptionInfo (re-pattern (java.util.regex.Pattern/quote msg))
                          (nightly/plan (merge base-opts opts))))))

(deftest summary-verdicts-and-exit-codes
  (is (= "valid" (summary/verdict-of {:valid? true})))
  (is (= "invalid" (summary/verdict-of {:valid? false})))
  (is (= "unknown" (summary/verdict-of {:valid? :unknown})))
  (is (= "crashed" (summary/verdict-of {:valid? :crashed})))
  (is (= "aborted" (summary/verdict-of {:valid? :unknown :aborted? true})))
  (is (= 0 (summary/exit-code [{:verdict "valid"} {:verdict "valid"}])))
  (is (= 2 (summary/exit-code [{:verdict "valid"} {:verdict "unknown"}])))
  (is (= 2 (summary/exit-code [{:verdict "valid"} {:verdict "pending"}])) "a run that never ran is not a pass")
  (is (= 1 (summary/exit-code [{:verdict "unknown"} {:verdict "invalid"}])))
  (is (= 255 (summary/exit-code [{:verdict "invalid"} {:verdict "crashed"}])))
  (is (= "../../leasekv-set/20260101T000000.000"
         (summary/relative-path "/r/nightly/20260102" "/r/leasekv-set/20260101T000000.000")))
  (is (= ["45 s" "3 min 05 s" "2 h 07 min"] (map summary/duration-str [45 185 7625]))))

(defn- run-fake-plan
  "Runs run-plan! over cells in a temp results dir, with outcomes chosen per cell index.
  Returns [dir summary-map the summaries seen on disk after each run]."
  [cells outcome-of]
  (let [root (temp-dir)
        dir (str root "/nightly/N1")
        seen (atom [])
        facts {:id "N1" :started "2026-01-01T00:00:00Z" :slot 0 :dir dir :estimated-seconds 100
               :options {:time-limit 20} :dimensions {:workloads ["register"]}}
        s (binding [log/*quiet* true]
            (nightly/run-plan! facts cells
                               (fn [cell]
                                 (swap! seen conj (json/read-str (slurp (io/file dir "summary.json"))))
                                 (outcome-of root cell))))]
    [dir s @seen]))

(defn- delete-tree [^String dir]
  (doseq [^java.io.File f (reverse (file-seq (io/file dir)))] (.delete f)))

(deftest run-plan-writes-the-summary-after-every-run
  (let [cells (nightly/plan (assoc base-opts :workloads "register" :nemeses "partition;kill"
                                   :fsm-sync-modes "nosync" :read-modes "lease"))
        [dir s seen] (run-fake-plan
                      cells
                      (fn [root cell]
                        (let [run-dir (str root "/" (:name cell) "/20260101T000000.000")]
                          (.mkdirs (io/file run-dir))
                          (case (:nemesis cell)
                            "partition" {:verdict "valid" :seconds 31.2 :ops 900 :run-dir run-dir :problems []}
                            "kill" {:verdict "invalid" :seconds 40.0 :ops 800 :run-dir run-dir
                                    :problems ["workload"]}))))]
    (is (= 1 (:exit-code s)))
    (is (= {"valid" 1 "invalid" 1} (into {} (remove (comp zero? val) (:counts s)))))
    (is (:complete s))
    (testing "before each run the summary on disk already lists every planned run, the rest pending"
      (is (= [["pending" "pending"] ["valid" "pending"]] (map #(map (fn [r] (get r "verdict")) (get % "runs")) seen)))
      (is (every? #(false? (get % "complete")) seen)))
    (testing "summary.json: relative links that resolve to the run directories"
      (let [j (json/read-str (slurp (io/file dir "summary.json")))
            [r1 r2] (get j "runs")]
        (is (= 2 (get j "planned-runs")))
        (is (= "../../leasekv-register-partition-nosync-lease/20260101T000000.000" (get r1 "run-dir")))
        (is (.isDirectory (io/file dir (get r2 "run-dir"))))
        (is (= ["workload"] (get r2 "problems")))))
    (testing "summary.md: a verdict per run, failures stand out, links to the runs"
      (let [md (slurp (io/file dir "summary.md"))]
        (is (str/includes? md "**FAILED**: 2 of 2 runs done; 1 valid, 1 invalid. Exit code 1."))
        (is (str/includes? md "| 2 | register | kill | nosync | lease | **INVALID** | 800 | 40 s | [run](../../leasekv-register-kill-nosync-lease/20260101T000000.000/)"))
        (is (str/includes? md "checkers: workload"))))
    (delete-tree (.getParent (.getParentFile (io/file dir))))))

(deftest run-plan-stops-after-an-aborted-run-and-counts-the-rest-pending
  (let [cells (nightly/plan (assoc base-opts :workloads "register,set" :nemeses "partition"
                                   :fsm-sync-modes "sync" :read-modes "lease"))
        calls (atom 0)
        [dir s _] (run-fake-plan cells (fn [_ _] (swap! calls inc) {:verdict "aborted" :seconds 3.0}))]
    (delete-tree (.getParent (.getParentFile (io/file dir))))
    (is (= 1 @calls))
    (is (= ["aborted" "pending"] (map :verdict (:runs s))))
    (is (= 2 (:exit-code s)))))

(deftest command-line
  (let [out (java.io.StringWriter.) err (java.io.StringWriter.)]
    (binding [*out* out *err* err log/*quiet* true]
      (is (= 0 (cli/run-command ["nightly" "--dry-run" "--workloads" "register" "--nemeses" "partition"
                                 "--time-limit" "10"])))
      (is (= 0 (cli/run-command ["nightly" "--help"])))
      (is (= 254 (cli/run-command ["nightly" "--workloads" "queue" "--dry-run"])))
      (is (= 254 (cli/run-command ["nightly" "--time-limit" "0"])))
      (is (= 254 (cli/run-command ["nightly" "--workloads" "register" "--nemeses" "partition"
                                   "--time-limit" "600" "--budget-minutes" "30"]))))
    (is (str/includes? (str out) "--fsm-sync-modes"))
    (is (str/includes? (str out) "--nodes-file") "every test option that is not a dimension")
    (is (not (str/includes? (str out) "--fsm-sync-mode MODE")))
    (is (str/includes? (str err) "Unknown value `queue` in --workloads"))
    (is (str/includes? (str err) "--time-limit must be positive"))
    (is (str/includes? (str err) "exceeds --budget-minutes 30"))))
