(ns leasekv.harness.workloads.crash-test
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.workloads.crash :as crash]))

(defn- indexed [ops] (vec (map-indexed #(assoc %2 :index %1) ops)))

(defn- add [p x t0 t1 type]
  [{:process p :type :invoke :f :add :value [0 x] :time t0}
   {:process p :type type :f :add :value [0 x] :time t1}])

(defn- history [adds final]
  (indexed (concat (apply concat adds)
                   [{:process 9 :type :invoke :f :read :value [0 nil] :time 1000}
                    {:process 9 :type :ok :f :read :value [0 final] :time 1001}])))

(def adds [(add 0 1 0 10 :ok) (add 1 2 20 30 :ok) (add 2 3 40 50 :info) (add 3 4 60 70 :fail)])

(defn- check [h] (checker/check (crash/crash-checker) {} h {}))

(deftest every-acknowledged-element-present-is-valid
  (let [r (check (history adds [1 2 3]))]
    (is (true? (:valid? r)))
    (is (= 2 (:acknowledged-count r)))
    (is (= 1 (get-in r [:results 0 :recovered-count])) "the indeterminate add that landed")))

(deftest a-lost-acknowledged-element-is-invalid
  (let [r (check (history adds [1]))]
    (is (false? (:valid? r)))
    (is (= [2] (get-in r [:results 0 :lost])))
    (is (= 1 (:lost-count r)))))

(deftest an-element-nobody-added-is-invalid
  (is (= [99] (get-in (check (history adds [1 2 99])) [:results 0 :unexpected]))))

(deftest a-duplicated-element-is-invalid
  (let [r (check (history adds [1 2 2]))]
    (is (false? (:valid? r)))
    (is (= [2] (get-in r [:results 0 :duplicates])))))

(deftest real-time-order-must-hold
  (testing "1 was acknowledged before 2 was sent, so 1 must come first"
    (let [r (check (history adds [2 1]))]
      (is (false? (:valid? r)))
      (is (= [[1 2]] (get-in r [:results 0 :reordered])))))
  (testing "concurrent adds may land in either order"
    (is (true? (:valid? (check (history [(add 0 1 0 30 :ok) (add 1 2 10 40 :ok)] [2 1])))))))

(deftest no-final-read-is-unknown
  (is (= :unknown (:valid? (check (indexed (apply concat adds)))))))

(deftest the-generator-adds-unique-elements-and-reads-now-and-then
  (let [g (crash/generator 3)
        ops (repeatedly 1000 g)
        adds (filter #(= :add (:f %)) ops)
        reads (filter #(= :read (:f %)) ops)]
    (is (= (count adds) (count (distinct (map (comp second :value) adds)))))
    (is (< 40 (count reads) 200) "about one op in ten reads")
    (is (every? #(< -1 (first (:value %)) 3) ops))))

(defn- read-op [p t0 t1 xs & [final?]]
  [(cond-> {:process p :type :invoke :f :read :value [0 nil] :time t0} final? (assoc :final? true))
   (cond-> {:process p :type :ok :f :read :value [0 xs] :time t1 :served-by "n2"} final? (assoc :final? true))])

(deftest reads-during-the-run-must-be-prefixes-of-the-final-list-and-not-stale
  (let [final (read-op 9 1000 1001 [1 2 3] true)]
    (testing "a read holding what was acknowledged before it, as a prefix: valid"
      (is (true? (:valid? (check (indexed (concat (apply concat adds) (read-op 5 35 36 [1 2]) final)))))))
    (testing "a read missing an element acknowledged before it began is stale"
      (let [r (check (indexed (concat (apply concat adds) (read-op 5 35 36 [1]) final)))]
        (is (false? (:valid? r)))
        (is (= 1 (:stale-read-count r)))
        (is (= [2] (get-in r [:results 0 :stale-reads 0 :missing])))
        (is (= "n2" (get-in r [:results 0 :stale-reads 0 :node])))))
    (testing "a read that is no prefix of the final list: an element vanished or moved"
      (let [r (check (indexed (concat (apply concat adds) (read-op 5 55 56 [1 2 4]) final)))]
        (is (false? (:valid? r)))
        (is (= 1 (:not-prefix-count r)))))
    (testing "the final read is the marked one, not a later read during the run"
      (let [r (check (indexed (concat (apply concat adds) final (read-op 5 2000 2001 [1 2]))))]
        (is (true? (:valid? r)))
        (is (= 3 (get-in r [:results 0 :read-count])))))))
