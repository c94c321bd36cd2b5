(ns leasekv.harness.checker-test
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.checker.stale :as stale]))

(defn- indexed [ops] (vec (map-indexed #(assoc %2 :index %1) ops)))

(defn- const-checker [v] (reify checker/Checker (check [_ _ _ _] {:valid? v})))

(deftest merge-rules
  (is (true? (checker/merge-valid [])))
  (is (true? (checker/merge-valid [true true])))
  (is (= :unknown (checker/merge-valid [true :unknown true])))
  (is (false? (checker/merge-valid [true :unknown false])))
  (is (false? (checker/merge-valid [false :unknown])))
  (is (= :unknown (checker/merge-valid [true nil])) "anything but true/false counts as unknown"))

(deftest compose-merges-and-keeps-each-result
  (let [r (checker/check (checker/compose {:a (const-checker true) :b (const-checker :unknown)}) {} [] {})]
    (is (= :unknown (:valid? r)))
    (is (= {:valid? true} (:a r))))
  (let [boom (reify checker/Checker (check [_ _ _ _] (throw (RuntimeException. "broken"))))
        r (checker/check (checker/compose {:a (const-checker false) :b boom}) {} [] {})]
    (is (false? (:valid? r)) "a crashing checker cannot hide another's false")
    (is (= :unknown (get-in r [:b :valid?])))))

(def set-history
  (indexed [{:process 0 :type :invoke :f :add :value 1 :time 0}
            {:process 0 :type :ok :f :add :value 1 :time 1}
            {:process 1 :type :invoke :f :add :value 2 :time 2}
            {:process 1 :type :info :f :add :value 2 :time 3}
            {:process 2 :type :invoke :f :add :value 3 :time 4}
            {:process 2 :type :ok :f :add :value 3 :time 5}
            {:process 0 :type :invoke :f :read :value nil :time 6}]))

(deftest set-checker-finds-lost-and-unexpected
  (let [c (checker/set-checker)]
    (testing "all acknowledged present, an indeterminate one recovered"
      (let [r (checker/check c {} (conj set-history {:index 7 :process 0 :type :ok :f :read :value #{1 2 3} :time 7}) {})]
        (is (true? (:valid? r)))
        (is (= 1 (:recovered-count r)))))
    (testing "an acknowledged add missing is lost"
      (let [r (checker/check c {} (conj set-history {:index 7 :process 0 :type :ok :f :read :value #{1} :time 7}) {})]
        (is (false? (:valid? r)))
        (is (= [3] (:lost r)))))
    (testing "an element never added is unexpected"
      (let [r (checker/check c {} (conj set-history {:index 7 :process 0 :type :ok :f :read :value #{1 3 99} :time 7}) {})]
        (is (false? (:valid? r)))
        (is (= [99] (:unexpected r)))))
    (testing "no final read: unknown"
      (is (= :unknown (:valid? (checker/check c {} set-history {})))))))

(deftest stats-per-f
  (let [r (checker/check (checker/stats) {}
                         (indexed [{:process 0 :type :invoke :f :read :time 0}
                                   {:process 0 :type :ok :f :read :time 1}
                                   {:process 1 :type :invoke :f :cas :time 0}
                                   {:process 1 :type :fail :f :cas :time 1}
                                   {:process :nemesis :type :info :f :kill :time 1}]) {})]
    (is (= 2 (:count r)))
    (is (= 1 (get-in r [:by-f :read :ok-count])))
    (is (false? (:valid? r)) "cas never succeeded")
    (is (nil? (get-in r [:by-f :kill])) "nemesis ops are not client ops")))

(deftest perf-quantiles-and-throughput
  (let [history (indexed (mapcat (fn [i] [{:process 0 :type :invoke :f :read :time (* i 1000000000)}
                                          {:process 0 :type :ok :f :read :time (+ (* i 1000000000) (* (inc i) 1000000))}])
                                 (range 10)))
        r (checker/check (checker/perf) {} history {})]
    (is (= 10 (:ops r)))
    (is (= 10.0 (get-in r [:latency-ms :read-ok 1.0])))
    (is (= 6.0 (get-in r [:latency-ms :read-ok 0.5])))
    (is (< 1.0 (:throughput-ops-per-s r) 1.2))))

(deftest unhandled-exceptions-grouped
  (let [r (checker/check (checker/unhandled-exceptions) {}
                         (indexed [{:process 0 :type :invoke :f :read :time 0}
                                   {:process 0 :type :info :f :read :time 1 :exception {:class "java.io.IOException" :message "x"}}
                                   {:process 1 :type :invoke :f :read :time 0}
                                   {:process 1 :type :info :f :read :time 1 :exception {:class "java.io.IOException" :message "y"}}]) {})]
    (is (= [{:class "java.io.IOException" :count 2}] (map #(select-keys % [:class :count]) (:exceptions r))))))

(deftest independent-checker-per-key
  (let [by-value (reify checker/Checker
                   (check [_ _ history _] {:valid? (not-any? #(= :bad (:value %)) history)}))
        r (checker/check (checker/independent by-value) {}
                         (indexed [{:process 0 :type :invoke :f :write :value [1 :good] :time 0}
                                   {:process 1 :type :invoke :f :write :value [2 :bad] :time 0}
                                   {:process :nemesis :type :info :f :kill :value [:x :y] :time 0}]) {})]
    (is (false? (:valid? r)))
    (is (= [2] (:failures r)))
    (is (= 2 (:key-count r)))))

;; ---- stale reads ----

(defn- op [p type f value t & {:as extra}] (merge {:process p :type type :f f :value value :time t} extra))

(deftest stale-read-found
  (let [h (indexed [(op 0 :invoke :write 1 0) (op 0 :ok :write 1 10)
                    (op 1 :invoke :write 2 20) (op 1 :ok :write 2 30)
                    (op 2 :invoke :read nil 40) (op 2 :ok :read 1 50 :node "n3")])
        found (stale/stale-reads h)]
    (is (= 1 (count found)))
    (is (= 2 (get-in (first found) [:missed-write :value])))
    (is (= 10 (long (* 1e6 (:stale-by-ms (first found))))))
    (is (= {:index 3 :invoke-index 2} (select-keys (:missed-write (first found)) [:index :invoke-index]))
        "the write is named by its acknowledgement, as the read by its completion and as the Java checker names both")
    (is (re-find #"Read #5 returned 1 from n3, but write #3 of 2" (stale/explain (first found))))))

(deftest concurrent-or-indeterminate-writes-are-not-stale
  (testing "the read overlaps the overwrite"
    (is (empty? (stale/stale-reads (indexed [(op 0 :invoke :write 1 0) (op 0 :ok :write 1 10)
                                             (op 1 :invoke :write 2 20)
                                             (op 2 :invoke :read nil 25) (op 2 :ok :read 1 28)
                                             (op 1 :ok :write 2 30)])))))
  (testing "the old value's write overlaps the overwrite"
    (is (empty? (stale/stale-reads (indexed [(op 0 :invoke :write 1 0) (op 1 :invoke :write 2 1)
                                             (op 0 :ok :write 1 10) (op 1 :ok :write 2 11)
                                             (op 2 :invoke :read nil 40) (op 2 :ok :read 1 50)])))))
  (testing "an indeterminate write of the value read can land any time"
    (is (empty? (stale/stale-reads (indexed [(op 0 :invoke :write 1 0) (op 0 :info :write 1 10)
                                             (op 1 :invoke :write 2 20) (op 1 :ok :write 2 30)
                                             (op 2 :invoke :read nil 40) (op 2 :ok :read 1 50)]))))))

(deftest initial-nil-read-after-a-write-is-stale
  (let [found (stale/stale-reads (indexed [(op 0 :invoke :cas [nil 3] 0) (op 0 :fail :cas [nil 3] 5)
                                           (op 1 :invoke :write 2 10) (op 1 :ok :write 2 20)
                                           (op 2 :invoke :read nil 30) (op 2 :ok :read nil 40)]))]
    (is (= 1 (count found)))
    (is (nil? (:read-value (first found))))))
