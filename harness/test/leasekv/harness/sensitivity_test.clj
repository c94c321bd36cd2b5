(ns leasekv.harness.sensitivity-test
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is]]
            [leasekv.harness.nemesis.schedules :as schedules]
            [leasekv.harness.sensitivity :as sensitivity]))

(deftest every-unsafe-mode-of-the-store-has-a-schedule
  (is (= #{"lease-from-ack-receipt" "lease-exceeds-election-timeout" "no-lease-check" "read-before-own-term-commit"
           "applied-index-ahead-of-data" "compact-past-durable-applied" "wal-no-fsync"}
         (set (map :mode sensitivity/modes))))
  (doseq [m sensitivity/modes]
    (is (schedules/schedule (:schedule m)) (:mode m))
    (is (<= (get-in m [:options :time-limit] 60) 60))))

(deftest safe-runs-cover-each-schedule-in-each-sync-mode
  (let [runs (sensitivity/safe-runs sensitivity/modes ["sync" "nosync"])
        schedules (set (map :schedule sensitivity/modes))]
    (is (= (* 2 (count (distinct (map (juxt :schedule :options) sensitivity/modes)))) (count runs)))
    (is (= schedules (set (map :schedule runs))))
    (is (every? #(nil? (:mode %)) runs))))

(def rows [{:mode "no-lease-check" :workload "lease" :schedule "pause-leader" :caught? true :runs 1 :seconds 95}
           {:mode "wal-no-fsync" :workload "crash" :schedule "power-loss-all" :caught? false :runs 3 :seconds 400}
           {:mode "safe store (sync)" :workload "lease" :schedule "pause-leader" :valid? true :runs 1 :seconds 90}])

(deftest the-table-says-caught-runs-and-seconds
  (let [md (sensitivity/markdown rows)]
    (is (str/includes? md "| no-lease-check | lease + pause-leader | yes | 1 | 95 |"))
    (is (str/includes? md "| wal-no-fsync | crash + power-loss-all | no | 3 | 400 |"))
    (is (str/includes? md "| safe store (sync) | lease + pause-leader | valid: yes | 1 | 90 |")))
  (is (false? (sensitivity/passed? rows)) "a mode not caught fails the matrix")
  (is (true? (sensitivity/passed? (take-nth 2 rows))))
  (is (false? (sensitivity/passed? [(assoc (nth rows 2) :valid? false)])) "an invalid safe run fails it"))
