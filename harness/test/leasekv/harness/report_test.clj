(ns leasekv.harness.report-test
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is]]
            [leasekv.harness.report :as report]))

(def results
  {:valid? false
   :workload {:stale-reads {:results {3 {:stale-reads [{:read-index 40 :read-value 7 :node "n1" :served-by "n2" :term 4
                                                        :read-mode :lease :missed-write {:index 30 :value 8 :completed-at-ms 12.0 :f :write}
                                                        :stale-by-ms 5.5 :explanation "x"}]}}}
              :linearizable {:failures [3]
                             :stale-reads [{:key 3 :read-index 40 :value 7 :term 4 :read-mode "lease"
                                            :read {:served-by "n2"} :write-index 30 :write-value 8 :lag-ms 5.5}
                                           {:key 5 :read-index 90 :value nil :term 6 :read-mode "local-unsafe"
                                            :read {:served-by "n4"} :write-index 80 :write-value 2 :lag-ms 1.0}]}}
   :replicas {:valid? false :explanation "replicas at the same applied index hold different state"}
   :restarts {:failed-starts [{:node "n2" :op-index 5 :log-tail "a\nexit 3: corrupt"}]}})

(deftest every-stale-read-once-with-node-term-mode-write-and-lag
  (let [s (report/stale-reads results)]
    (is (= [40 90] (map :read-index s)) "the same read found by both checkers is listed once")
    (is (= {:key 3 :node "n2" :term 4 :read-mode :lease :stale-by-ms 5.5}
           (select-keys (first s) [:key :node :term :read-mode :stale-by-ms])))
    (is (= {:index 30 :value 8} (select-keys (:missed-write (first s)) [:index :value])))
    (is (= :local-unsafe (:read-mode (second s))))))

(deftest a-read-both-checkers-found-with-different-writes-is-one-entry-listing-both
  (let [r (assoc-in results [:workload :linearizable :stale-reads 0 :write-index] 33)
        r (assoc-in r [:workload :linearizable :stale-reads 0 :write-value] 9)
        r (assoc-in r [:workload :linearizable :stale-reads 0 :lag-ms] 2.5)
        [s :as all] (report/stale-reads r)]
    (is (= [40 90] (map :read-index all)))
    (is (= [{:index 30 :value 8 :stale-by-ms 5.5} {:index 33 :value 9 :stale-by-ms 2.5}]
           (map #(select-keys % [:index :value :stale-by-ms]) (:missed-writes s))))
    (is (= 33 (get-in s [:missed-write :index])) "the latest acknowledged")
    (is (some #(str/includes? % "stale read #40 of key 3: 7 served by n2 in term 4 (lease read), missing writes #30 of 8 and #33 of 9, the last acknowledged 2.5 ms before the read began")
              (report/lines r))
        (pr-str (report/lines r)))))

(deftest findings-name-what-went-wrong
  (let [ls (report/lines results)]
    (is (some #(str/includes? % "served by n2 in term 4 (lease read), missing write #30 of 8") ls))
    (is (some #(str/includes? % "replicas disagree") ls))
    (is (some #(str/includes? % "node n2 could not restart after the power-loss at op") ls))
    (is (= 2 (:stale-read-count (report/annotate results))))))

(deftest a-clean-run-has-no-findings
  (is (empty? (report/lines {:valid? true :workload {:valid? true}}))))

(deftest a-stale-read-without-term-or-read-mode-names-neither
  ;; etcd's reads carry a revision, not a term; no "in term " with nothing after it.
  (let [ls (report/lines {:valid? false
                          :workload {:linearizable {:failures [1]
                                                    :stale-reads [{:key 1 :read-index 7 :value nil :read {:served-by "n3"}
                                                                   :write-index 5 :write-value 2 :lag-ms 3.0}]}}})]
    (is (some #(str/includes? % "stale read #7 of key 1: nil served by n3, missing write #5 of 2 acknowledged 3.0 ms") ls)
        (pr-str ls))))
