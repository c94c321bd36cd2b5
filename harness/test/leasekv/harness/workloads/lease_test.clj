(ns leasekv.harness.workloads.lease-test
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.workloads.lease :as lease]))

(defn- indexed [ops] (vec (map-indexed #(assoc %2 :index %1) ops)))

(deftest keys-change-with-time
  (is (= 0 (lease/key-at 2999999999 3)))
  (is (= 1 (lease/key-at 3000000000 3))))

(deftest an-acknowledged-write-is-read-back-through-the-node-that-acknowledged-it
  (let [h (gen/simulate (gen/limit 400 (lease/generator 5))
                        {:concurrency 2
                         :complete (fn [op] :ok)})
        ;; the simulator's completions carry no :acked-by, so feed one through update by hand
        g (lease/->ThreadGen 5 10 0 nil)
        ctx (gen/context 1)
        g (gen/update g {} ctx {:process 0 :type :ok :f :write :value [0 1000] :acked-by "n3"})
        [op _] (gen/op g {} ctx)]
    (is (some #(= :write (:f %)) h) "writes are generated")
    (is (some #(= :read (:f %)) h) "reads are generated")
    (is (= {:f :read :via "n3"} (select-keys op [:f :via])))
    (is (= [0 nil] (:value op)))))

(deftest only-the-first-threads-write
  (let [h (gen/simulate (gen/limit 1000 (lease/generator 100 2)) {:concurrency 6})
        writers (set (map :process (filter #(= :write (:f %)) h)))]
    (is (seq writers))
    (is (every? #{0 1} writers))))

(deftest write-values-are-unique
  (let [h (gen/simulate (gen/limit 2000 (lease/generator 100)) {:concurrency 4})
        writes (map :value (filter #(and (= :write (:f %)) (= :invoke (:type %))) h))]
    (is (seq writes))
    (is (= (count writes) (count (distinct writes))))))

(def base
  [{:process 0 :type :invoke :f :write :value [0 1] :time 0}
   {:process 0 :type :ok :f :write :value [0 1] :time 1}
   {:process 1 :type :invoke :f :write :value [0 2] :time 2}
   {:process 1 :type :info :f :write :value [0 2] :time 3}
   {:process 2 :type :invoke :f :write :value [0 3] :time 4}
   {:process 2 :type :info :f :write :value [0 3] :time 5}
   {:process 3 :type :invoke :f :write :value [0 4] :time 6}
   {:process 4 :type :invoke :f :read :value [0 nil] :time 7}
   {:process 4 :type :ok :f :read :value [0 3] :time 8}])

(deftest only-unobserved-crashed-writes-are-dropped
  (let [kept (lease/drop-unobserved-crashed-writes (indexed base))
        values (set (map :value kept))]
    (is (not (values [0 2])) "crashed, never read: dropped with its completion")
    (is (values [0 3]) "crashed but read: kept")
    (is (values [0 1]) "acknowledged: always kept")
    (is (not (values [0 4])) "never completed, never read: dropped")
    (is (= 6 (count kept)))))
