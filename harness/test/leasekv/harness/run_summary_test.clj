(ns leasekv.harness.run-summary-test
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.run-summary :as summary]))

(defn- history
  "Client ops (invocation, completion) and nemesis ops (invocation, completion), times in order."
  []
  (let [t (atom 0)
        op (fn [m] (assoc m :time (swap! t + 1000000)))
        client (fn [p f type] [(op {:process p :type :invoke :f f}) (op {:process p :type type :f f})])
        nemesis (fn [f inv done] [(op {:process :nemesis :type :info :f f :value inv})
                                  (op {:process :nemesis :type :info :f f :value done})])]
    (vec (map-indexed
          (fn [i o] (assoc o :index i))
          (concat (client 0 :read :ok) (client 1 :write :ok) (client 0 :read :fail)
                  (nemesis :start-partition :isolate-leader {:kind :isolate-leader :grudge {"n1" #{"n2" "n3"} "n2" #{"n1"} "n3" #{"n1"}}})
                  (client 1 :write :info)
                  (nemesis :stop-partition nil :healed)
                  (nemesis :kill :one {"n2" :killed})
                  (nemesis :start nil {"n1" :started "n2" :started "n3" :started})
                  (nemesis :start-partition :bridge {:kind :bridge :grudge {"n1" #{"n3"} "n3" #{"n1"}}})
                  (nemesis :stop-partition nil :healed)
                  (nemesis :start-partition :isolate-leader {:kind :isolate-leader :grudge {"n2" #{"n1" "n3"} "n1" #{"n2"} "n3" #{"n2"}}})
                  (nemesis :transfer-leadership nil "n1 -> n3: OK")
                  (client 0 :read :ok)
                  (nemesis :heal nil {:resumed {} :started {}}))))))

(deftest counts-ops-by-outcome-and-faults-by-kind
  (is (= {:read {:ok-count 2 :fail-count 1 :info-count 0} :write {:ok-count 1 :fail-count 0 :info-count 1}}
         (into {} (for [[f c] (summary/op-counts (history))] [f (select-keys c [:ok-count :fail-count :info-count])]))))
  (is (= {"kill" {:count 1 :kinds {"one" 1}}
          "partition" {:count 3 :kinds {"isolate-leader" 2 "bridge" 1}}
          "transfer-leadership" {:count 1}}
         (summary/fault-counts (history)))
      "the final heal is not a fault; a partition never stopped still counts"))

(deftest the-summary-names-ops-faults-checkers-and-the-verdict
  (let [results {:valid? false
                 :workload {:valid? false :linearizable {:valid? false} :stale-reads {:valid? true}}
                 :stats {:valid? true :by-f {}}
                 :exceptions {:valid? true}}
        lines (summary/lines {:name "leasekv-register" :store-dir "results/r/1"} results (history))]
    (is (= ["Summary of leasekv-register (5 client ops, 5 faults)"
            "  ops        ok  fail  info"
            "  read        2     1     0"
            "  write       1     0     1"
            "  faults   kill 1 (one 1); partition 3 (isolate-leader 2, bridge 1); transfer-leadership 1"
            "  checkers exceptions true; stats true; workload false (linearizable false, stale-reads true)"
            "Verdict: false -> results/r/1"]
           lines))
    (is (<= (count lines) 24) "one screen")))

(deftest a-run-without-results-still-gets-a-summary
  (testing "aborted"
    (let [lines (summary/lines {:name "t" :store-dir "d"} {:valid? :unknown :aborted? true :error "interrupted"} [])]
      (is (some #{"  checkers not run: interrupted"} lines))
      (is (some #{"  faults   none"} lines))
      (is (= "Verdict: :unknown -> d" (last lines)))))
  (testing "crashed"
    (let [lines (summary/lines {:name "t" :store-dir "d"} {:valid? :crashed :error "java.lang.Error: boom"} (history))]
      (is (str/includes? (str/join "\n" lines) "checkers not run: the run crashed (java.lang.Error: boom)"))
      (is (= "Verdict: :crashed -> d" (last lines))))))

(deftest a-checker-result-holding-a-sorted-map-by-number-gets-a-summary
  ;; The crash workload's result holds its lists in a sorted map keyed by the list's number: asking
  ;; that map for :valid? threw (Integer cannot be cast to Keyword) and the run lost its summary.
  (let [results {:valid? false
                 :workload {:valid? false :results (sorted-map 0 {:valid? true} 1 {:valid? false})}
                 :restarts {:valid? false :failed-starts [{:node "n3"}]}}
        lines (summary/lines {:name "leasekv-crash" :store-dir "d"} results (history))]
    (is (some #{"  checkers restarts false; workload false"} lines))))
