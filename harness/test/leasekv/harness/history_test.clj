(ns leasekv.harness.history-test
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.history :as h]
            [leasekv.harness.independent :as independent])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(defn- temp-dir []
  (str (Files/createTempDirectory "history-test" (make-array FileAttribute 0))))

(deftest records-index-and-streams-edn
  (let [path (str (temp-dir) "/history.edn")
        rec (h/recorder path)]
    (h/record! rec {:type :invoke :process 0 :f :write :value (independent/tuple 3 4) :time 10})
    (h/record! rec {:type :invoke :process :nemesis :f :start-partition :value :bridge :time 11})
    (testing "each op is on disk as soon as it is recorded"
      (is (= 2 (count (str/split-lines (slurp path))))))
    (h/record! rec {:type :info :process 0 :f :write :value (independent/tuple 3 4) :time 20
                    :exception (RuntimeException. "boom") :error [:timeout]})
    (h/close! rec)
    (let [lines (str/split-lines (slurp path))
          back (h/read-history path)]
      (is (= [0 1 2] (map :index (h/ops rec))))
      (is (str/starts-with? (first lines) "{:index 0, :time 10, :type :invoke, :process 0, :f :write, :value [3 4]"))
      (is (= 3 (count back)))
      (is (= [3 4] (:value (first back))))
      (is (= {:class "java.lang.RuntimeException" :message "boom"} (:exception (nth back 2))))
      (is (= :nemesis (:process (second back))))
      (is (= [:timeout] (:error (nth back 2)))))))

(deftest bad-history-lines-are-named
  (let [path (str (temp-dir) "/history.edn")]
    (spit path "{:index 0 :type :invoke :process 0 :f :read}\n{:index 1 :type\n")
    (let [e (try (h/read-history path) nil (catch clojure.lang.ExceptionInfo e e))]
      (is (some? e))
      (is (str/includes? (.getMessage e) ":2:")))))

(deftest pairs-invocations-with-completions
  (let [history [{:index 0 :process 0 :type :invoke :f :read :time 0}
                 {:index 1 :process 1 :type :invoke :f :write :value 1 :time 1}
                 {:index 2 :process 0 :type :ok :f :read :value 1 :time 5}
                 {:index 3 :process 1 :type :info :f :write :value 1 :time 9}
                 {:index 4 :process 2 :type :invoke :f :read :time 10}]
        pairs (h/pair-index history)
        cs (h/completions history)]
    (is (= 2 (:index (pairs 0))))
    (is (= 3 (:index (pairs 1))))
    (is (nil? (pairs 4)) "an op that never completed has no completion")
    (is (= [5 8] (map :latency cs)))))

(deftest edn-safe-turns-objects-into-data
  (is (= {:a [1 "x"]} (h/edn-safe {:a (list 1 "x")})))
  (is (string? (h/edn-safe (Object.))))
  (is (= #{1 2} (h/edn-safe #{1 2}))))
