(ns ^:integration leasekv.harness.integration.leasekv-test
  "Short real tests against the leasekv store on 5 local namespaces (needs
  store/node/target/leasekv-store.jar, which the DB builds with Maven when missing or stale):
  valid under partitions and kills; with the unsafe no-lease-check mode under partitions that
  isolate the leader, the pipeline must see stale reads."
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.core :as core]
            [leasekv.harness.history :as h]
            [leasekv.harness.integration.support :as support]
            [leasekv.harness.tests :as tests])
 )

(defn run-leasekv
  "Runs a short leasekv test into results-dir with the CLI's defaults overridden by opts.
  Returns the test with :results."
  [results-dir opts]
  (core/run-test!
   (tests/build-test (merge {:nodes "n1,n2,n3,n4,n5" :concurrency "2n" :time-limit 20 :rate 100.0
                             :workload "register" :nemesis "partition,kill" :nemesis-interval 3.0
                             :partitions "random-halves,isolate-leader,majorities-ring,bridge,one-way"
                             :db "leasekv" :leasekv-routing "follow" :ops-per-key 150 :threads-per-key 5 :request-timeout-ms 1000
                             :results-dir results-dir :base-dir "/var/tmp/leasekv-harness"}
                            opts))))

(deftest ^:integration leasekv-register-valid-under-partitions-and-kills
  (support/call-with-results-dir
   (fn [dir]
     (let [t (run-leasekv dir {})
           r (:results t)
           ops (h/ops (:history t))]
       (is (true? (:valid? r)) (pr-str (select-keys r [:valid? :stats])))
       (is (some #{:start-partition} (map :f ops)))
       (is (some #{:kill} (map :f ops)))
       (testing "reads say how they were served"
         (is (some #(and (= :read (:f %)) (= :ok (:type %)) (:served-by %) (:read-mode %)) ops)))))))

(deftest ^:integration leasekv-set-valid-under-partitions-and-kills
  (support/call-with-results-dir
   (fn [dir]
     (let [r (:results (run-leasekv dir {:workload "set"}))]
       (is (true? (:valid? r)) (pr-str (:workload r)))
       (is (pos? (get-in r [:workload :acknowledged-count])))))))

(deftest ^:integration leasekv-without-lease-check-serves-stale-reads
  ;; An isolated leader serves stale reads only between the new leader's election and its own
  ;; check-quorum step-down, a window of a few hundred ms that opens in about a third of the
  ;; isolations. So isolate the leader a dozen times, give every key a reader on every node
  ;; (pinned-reads), run unthrottled and let clients switch to the new leader quickly.
  (support/call-with-results-dir
   (fn [dir]
     (let [r (:results (run-leasekv dir {:unsafe "no-lease-check" :nemesis "partition" :nemesis-interval 2.5
                                         :partitions "isolate-leader" :time-limit 60
                                         :leasekv-routing "pinned-reads" :rate 0.0 :concurrency "4n"
                                         :request-timeout-ms 300 :linear-time-limit 60}))]
       (is (false? (:valid? r)))
       (is (seq (get-in r [:workload :linearizable :stale-reads])) "the stale-read report shows them")
       (is (re-find #"local-unsafe" (pr-str (get-in r [:workload :linearizable :stale-reads]))))))))
