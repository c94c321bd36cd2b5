(ns leasekv.harness.sensitivity-test
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.nemesis.schedules :as schedules]
            [leasekv.harness.sensitivity :as sensitivity]))

(defn- store-unsafe-modes
  "The store's unsafe modes and the rule each breaks, read from its source (UnsafeModes.Mode:
  `NAME(\"cli-name\", \"L5\", ...)`, wrapped or not), so that a mode added to the store without a schedule here
  fails this test."
  []
  (let [src (slurp (io/file "store/replica/src/main/java/leasekv/replica/UnsafeModes.java"))]
    (into {} (for [[_ mode rule] (re-seq #"[A-Z_]+\(\s*\"([a-z-]+)\",\s*\"([LD][0-9]+)\"" src)] [mode rule]))))

(deftest every-unsafe-mode-of-the-store-has-a-schedule-and-its-rule
  (let [store (store-unsafe-modes)]
    (is (= 19 (count store)) "the store lists 19 unsafe modes (L8 has none: docs/rules.md)")
    (is (= store (into {} (map (juxt :mode :rule) sensitivity/modes)))))
  (doseq [m sensitivity/modes]
    (is (schedules/schedule (:schedule m)) (:mode m))
    (is (<= (get-in m [:options :time-limit] 60) 60))
    (is (seq (:why m)) (:mode m))))

(deftest every-rule-of-the-rules-document-has-a-mode-but-l8
  (let [rules-doc (slurp (io/file "docs/rules.md"))
        rules (set (map second (re-seq #"\*\*([LD][0-9]+)\. " rules-doc)))]
    (is (= 17 (count rules)))
    (is (= (disj rules "L8") (set (map :rule sensitivity/modes))))))

(deftest safe-runs-cover-each-schedule-in-each-sync-mode
  (let [runs (sensitivity/safe-runs sensitivity/modes ["sync" "nosync"])
        schedules (set (map :schedule sensitivity/modes))]
    (is (= (* 2 (count (distinct (map (juxt :schedule :options) sensitivity/modes)))) (count runs)))
    (is (= schedules (set (map :schedule runs))))
    (is (every? #(nil? (:mode %)) runs))))

(def rows [{:mode "no-lease-check" :rule "L1" :workload "lease" :schedule "pause-leader" :caught? true :runs 1
            :runs-to-catch 1 :seconds 95 :per-run [{:caught? true :valid? false :anomalies "81 stale reads" :seconds 95}]}
           {:mode "wal-no-fsync" :rule "D3" :workload "crash" :schedule "power-loss-all" :caught? false :runs 3
            :seconds 400 :per-run (repeat 3 {:caught? false :valid? true :anomalies "-"})}
           {:mode "skip-replay" :rule "D5" :workload "crash" :schedule "power-loss-all-fsm" :caught? true :runs 3
            :runs-to-catch 2 :every-run? true :seconds 300
            :per-run [{:caught? false :valid? true :anomalies "-"} {:caught? true :valid? false :anomalies "12 lost"}
                      {:caught? true :valid? false :anomalies "3 lost"}]}
           {:mode "safe store (sync)" :workload "lease" :schedule "pause-leader" :valid? true :runs 1 :seconds 90
            :anomalies "-"}])

(deftest the-table-says-rule-caught-runs-to-catch-anomalies-and-seconds
  (let [md (sensitivity/markdown rows)]
    (is (str/includes? md "| no-lease-check | L1 | lease + pause-leader | yes | 1 | 81 stale reads | 95 |"))
    (is (str/includes? md "| wal-no-fsync | D3 | crash + power-loss-all | no | not in 3 | - | 400 |"))
    (is (str/includes? md "| skip-replay | D5 | crash + power-loss-all-fsm | no yes yes | 2 | 12 lost | 300 |"))
    (is (str/includes? md "| safe store (sync) | - | lease + pause-leader | valid: yes | - | - | 90 |")))
  (testing "every run has its line"
    (let [runs (sensitivity/runs-markdown rows)]
      (is (str/includes? runs "| skip-replay | power-loss-all-fsm | 1 | not caught (true) | - |"))
      (is (str/includes? runs "| skip-replay | power-loss-all-fsm | 3 | caught | 3 lost |"))))
  (is (false? (sensitivity/passed? rows)) "a mode not caught fails the matrix")
  (is (true? (sensitivity/passed? (remove #(= "wal-no-fsync" (:mode %)) rows))))
  (is (false? (sensitivity/passed? [(assoc (nth rows 3) :valid? false)])) "an invalid safe run fails it"))

(deftest two-of-three-runs-must-catch-a-mode-when-every-run-is-made
  (is (= 2 (sensitivity/needed-catches 3)))
  (is (= 1 (sensitivity/needed-catches 1)))
  (is (= 4 (sensitivity/needed-catches 5))))

(deftest anomalies-name-what-each-workload-saw
  (is (= "81 stale reads" (sensitivity/anomalies {:valid? false :stale-read-count 81 :workload {:valid? false}})))
  (is (= "3 lost, 2 applied twice"
         (sensitivity/anomalies {:workload {:results (sorted-map 0 {:lost-count 1 :duplicate-count 2} 1 {:lost-count 2})}})))
  (is (= "30 applied twice" (sensitivity/anomalies {:workload {:duplicate-count 30 :lost-count 0}})))
  (is (= "n3 could not restart"
         (sensitivity/anomalies {:workload {:valid? true}
                                 :restarts {:failed-starts [{:node "n3" :f :power-loss} {:node "n3" :f :heal}]}})))
  (is (= "-" (sensitivity/anomalies {:valid? true :workload {:valid? true}}))))
