(ns leasekv.harness.checker.linear-test
  "The glue to the Java checker, on tiny histories whose verdicts are known. Needs the
  leasekv-checker jar (mvn -pl checker install)."
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.independent :as independent]))

(defn- indexed [ops] (vec (map-indexed #(assoc %2 :index %1) ops)))
(defn- op [p type f value t] {:process p :type type :f f :value value :time t})

(def linearizable (checker/linearizable {:model :cas-register :independent :yes :time-limit-ms 10000}))

(deftest stale-read-is-not-linearizable
  (let [t independent/tuple
        h (indexed [(op 0 :invoke :write (t 7 1) 0) (op 0 :ok :write (t 7 1) 10)
                    (op 1 :invoke :write (t 7 2) 20) (op 1 :ok :write (t 7 2) 30)
                    (op 2 :invoke :read (t 7 nil) 40) (op 2 :ok :read (t 7 1) 50)
                    (op :nemesis :info :start-partition :bridge 45)
                    (op 3 :invoke :read (t 8 nil) 41) (op 3 :ok :read (t 8 nil) 42)])
        r (checker/check linearizable {} h {})]
    (is (false? (:valid? r)))
    (is (= [7] (:failures r)))
    (is (= 1 (count (:stale-reads r))))
    (is (string? (get-in r [:results 7 :explanation])))))

(deftest concurrent-history-is-linearizable
  (let [t independent/tuple
        h (indexed [(op 0 :invoke :write (t 1 1) 0)
                    (op 1 :invoke :read (t 1 nil) 1)
                    (op 1 :ok :read (t 1 1) 2)
                    (op 2 :invoke :cas (t 1 [1 4]) 3)
                    (op 0 :ok :write (t 1 1) 4)
                    (op 2 :ok :cas (t 1 [1 4]) 5)
                    (op 3 :invoke :write (t 1 9) 6)
                    (op 3 :info :write (t 1 9) 7)
                    (op 1 :invoke :read (t 1 nil) 8)
                    (op 1 :ok :read (t 1 9) 9)])
        r (checker/check linearizable {} h {})]
    (is (true? (:valid? r)) (pr-str r))))

(deftest cas-on-a-value-never-written-fails-the-check
  (let [t independent/tuple
        h (indexed [(op 0 :invoke :cas (t 1 [3 4]) 0) (op 0 :ok :cas (t 1 [3 4]) 1)])]
    (is (false? (:valid? (checker/check linearizable {} h {}))))))
