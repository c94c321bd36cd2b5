(ns ^:integration leasekv.harness.integration.etcd-test
  "Short real tests against etcd 3.4 on 5 local namespaces: linearizable reads stay valid under
  partitions and kills; serializable reads under partitions that isolate members are caught."
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.core :as core]
            [leasekv.harness.integration.support :as support]
            [leasekv.harness.tests :as tests])
 )

(defn run-etcd
  "Runs a short etcd test into results-dir with the CLI's defaults overridden by opts. Returns
  the test with :results."
  [results-dir opts]
  (core/run-test!
   (tests/build-test (merge {:nodes "n1,n2,n3,n4,n5" :concurrency "2n" :time-limit 20 :rate 100.0
                             :workload "register" :nemesis "partition,kill" :nemesis-interval 3.0
                             :partitions "random-halves,isolate-leader,majorities-ring,bridge,one-way"
                             :db "etcd" :ops-per-key 150 :threads-per-key 5 :request-timeout-ms 2000
                             :results-dir results-dir :base-dir "/var/tmp/leasekv-harness"}
                            opts))))

(deftest ^:integration etcd-linearizable-under-partitions-and-kills
  (support/call-with-results-dir
   (fn [dir]
     (let [t (run-etcd dir {})
           r (:results t)]
       (is (true? (:valid? r)) (pr-str (select-keys r [:valid? :stats])))
       (is (true? (get-in r [:workload :linearizable :valid?])))
       (is (pos? (get-in r [:stats :ok-count])))
       (testing "faults really happened"
         (is (some #{:start-partition} (map :f (leasekv.harness.history/ops (:history t)))))
         (is (some #{:kill} (map :f (leasekv.harness.history/ops (:history t))))))))))

(deftest ^:integration etcd-serializable-reads-are-stale-under-isolation
  (support/call-with-results-dir
   (fn [dir]
     ;; Partitions last 5 s: etcd needs 1-2 s to elect on the majority side before a write there can
     ;; make a minority member's reads stale, and a minority client's write blocks it for the request
     ;; timeout. With 2 s partitions and a 2 s timeout a run under CPU load often had no certainly
     ;; stale read (0-1 in 3 runs with one core busy, and one CI run found none at all); with 5 s and 1 s,
     ;; 9-11 per run under the same load.
     (let [r (:results (run-etcd dir {:etcd-serializable true :nemesis "partition" :nemesis-interval 5.0
                                      :partitions "isolate-leader,random-halves" :time-limit 30
                                      :request-timeout-ms 1000}))]
       (is (false? (:valid? r)))
       (is (false? (get-in r [:workload :linearizable :valid?])))
       ;; Not asserted: a positive :stale-count from the separate stale-reads checker. It counts only
       ;; reads that are stale whatever the order of concurrent and :info writes, and one run in a
       ;; fresh-machine check had none while the linearizability checker rightly found violations.
       (testing "the stale-read report names them"
         (is (seq (get-in r [:workload :linearizable :stale-reads])))
         (is (re-find #"serializable" (pr-str (get-in r [:workload :linearizable :stale-reads])))))))))
