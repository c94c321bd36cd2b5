(ns leasekv.harness.checker.digest-test
  (:require [clojure.test :refer [deftest is]]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.checker.digest :as digest]))

(defn- op [value] [{:index 0 :process :nemesis :type :info :f :digests}
                   {:index 1 :process :nemesis :type :info :f :digests :value value}])

(defn- check [h] (checker/check (digest/checker) {} h {}))

(def same {"n1" {:applied-index 9 :digest "a"} "n2" {:applied-index 9 :digest "a"}})

(deftest equal-digests-at-one-index-are-valid
  (is (true? (:valid? (check (op {:converged? true :digests same :mismatches {}}))))))

(deftest different-state-at-the-same-index-is-invalid
  (let [snap (assoc same "n3" {:applied-index 9 :digest "b"})
        mm (digest/mismatches snap)]
    (is (= {9 {"a" ["n1" "n2"] "b" ["n3"]}} mm))
    (is (false? (:valid? (check (op {:converged? true :digests snap :mismatches mm})))))))

(deftest replicas-at-different-indexes-do-not-mismatch
  (is (empty? (digest/mismatches {"n1" {:applied-index 9 :digest "a"} "n2" {:applied-index 10 :digest "b"}}))))

(deftest never-converging-is-unknown-and-no-digests-is-skipped
  (is (= :unknown (:valid? (check (op {:converged? false :digests same :mismatches {}})))))
  (is (true? (:valid? (check []))))
  (is (:skipped (check []))))
