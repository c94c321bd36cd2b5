(ns leasekv.harness.nemesis.schedules-test
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.schedules :as schedules]))

(deftest store-args-merge-with-later-ones-winning
  (is (= "--snapshot-interval-entries 5 --clock-drift-bound 0.5 --test-hooks"
         (schedules/merge-store-args "--snapshot-interval-entries 20" "--clock-drift-bound 0.5"
                                     "--snapshot-interval-entries 5 --test-hooks")))
  (is (= "--lease-ms 100" (schedules/merge-store-args nil "--lease-ms=100")))
  (is (nil? (schedules/merge-store-args nil "" "  "))))

(defn- nemesis-ops [g n]
  (->> (gen/simulate (gen/nemesis (gen/limit n g) nil) {:concurrency 1 :max-ops 500})
       (filter #(and (= :nemesis (:process %)) (not (#{:sleep :log} (:type %)))))
       (map :f)))

(deftest the-general-schedule-covers-every-new-fault
  (let [targets (schedules/default-targets 0.5)]
    (doseq [[fault expected] {:power-loss #{:power-loss} :clock #{:clock :clock-reset}
                              :membership #{:remove-voter :add-voter} :delay #{:start-delay :stop-delay}
                              :crash-at #{:crash-at :start}}]
      (is (= expected (set (nemesis-ops (schedules/general #{fault} 0.01 targets) 8))) (str fault)))))

(deftest every-named-schedule-generates-faults
  (doseq [n (schedules/names)]
    (let [fs (nemesis-ops ((:generator (schedules/schedule n)) {}) 6)]
      (is (seq fs) n))))

(deftest unknown-schedule-is-named-in-the-error
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"Unknown schedule `nope`" (schedules/schedule "nope"))))

(deftest settings-follow-the-faults
  (testing "power loss mounts lazyfs under both directories"
    (is (= [:wal :fsm] (:lazyfs-dirs (schedules/settings {:nemesis "power-loss"} {} nemesis/partition-targets)))))
  (testing "delay starts the proxies; clocks set a drift bound that covers them"
    (let [s (schedules/settings {:nemesis "delay,clock"} {:store-args "--snapshot-interval-entries 20"}
                                nemesis/partition-targets)]
      (is (:delay-proxy? s))
      (is (= "--snapshot-interval-entries 20 --clock-drift-bound 0.5" (:store-args s)))))
  (testing "a named schedule brings its own faults"
    (let [s (schedules/settings {:schedule "delayed-acks" :nemesis "kill"} {} nemesis/partition-targets)]
      (is (= #{:partition :delay} (:faults s)))
      (is (:delay-proxy? s))))
  (testing "a schedule's own store options come after the workload's and before --store-args"
    (let [s (schedules/settings {:schedule "restart-followers-within-lease" :store-args "--tick-ms 10"}
                                {:store-args "--snapshot-interval-entries 20"} nemesis/partition-targets)]
      (is (= "--snapshot-interval-entries 20 --election-timeout-ms 8000 --tick-ms 10" (:store-args s)))))
  (testing "crash points need the test hooks"
    (is (contains? (:faults (schedules/settings {:schedule "crash-before-sync"} {} nemesis/partition-targets)) :crash-at)))
  (testing "no faults, no extras"
    (let [s (schedules/settings {:nemesis "partition"} {} nemesis/partition-targets)]
      (is (nil? (:lazyfs-dirs s)))
      (is (false? (:delay-proxy? s)))
      (is (nil? (:store-args s))))))
