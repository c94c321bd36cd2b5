(ns leasekv.harness.web.series-test
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.web.history :as wh]
            [leasekv.harness.web.series :as series]))

(def ms 1000000)

(defn- op [i t type p f v & {:as extra}]
  (merge {:index i :time t :type type :process p :f f :value v} extra))

(def history
  [(op 0 (* 1 ms) :invoke 0 :write [0 3])
   (op 1 (* 2 ms) :invoke 1 :read [0 nil])
   (op 2 (* 4 ms) :ok 1 :read [0 3] :node "n2" :served-by "n2" :term 4 :read-mode :lease)
   (op 3 (* 11 ms) :ok 0 :write [0 3] :node "n1")
   (op 4 (* 12 ms) :invoke 1 :cas [0 [3 4]])
   (op 5 (* 13 ms) :fail 1 :cas [0 [3 4]] :error "CAS failed: -NOTLEADER n3")
   (op 6 (* 14 ms) :invoke 0 :read [0 nil])])

(defn- decode
  "What the page's data.js does with the columns: undo the deltas, look up strings."
  [{:keys [strings fs processes] :as data}]
  (let [columns (update-vals (:columns data) vec)
        starts (reductions + (:t columns))
        idx (reductions + (:i columns))
        s #(when (>= % 0) (strings %))]
    (mapv (fn [i]
            {:start (nth starts i) :dur ((:d columns) i) :process (processes ((:p columns) i))
             :kind ((:k columns) i) :f (fs ((:f columns) i)) :value (s ((:v columns) i))
             :result (s ((:cv columns) i)) :node (s ((:n columns) i)) :served (s ((:x columns) i))
             :error (s ((:e columns) i)) :index (nth idx i) :completion ((:c columns) i)})
          (range (count (:t columns))))))

(deftest packs-the-timeline-into-columns
  (let [pairs (series/sort-pairs (wh/pairs history))
        cols (series/timeline-columns pairs)
        rows (decode cols)]
    (is (= [0 1] (:processes cols)))
    (is (= ["cas" "read" "write"] (:fs cols)) "sorted, so each :f keeps its colour from run to run")
    (is (= [{:start 1000 :dur 10000 :process 0 :kind 0 :f "write" :value "[0 3]" :result nil :node "n1" :served nil :error nil :index 0 :completion 3}
            {:start 2000 :dur 2000 :process 1 :kind 0 :f "read" :value "[0 nil]" :result "[0 3]" :node "n2"
             :served "served by n2 · term 4 · lease" :error nil :index 1 :completion 1}
            {:start 12000 :dur 1000 :process 1 :kind 1 :f "cas" :value "[0 [3 4]]" :result nil :node nil :served nil
             :error "CAS failed: -NOTLEADER n3" :index 4 :completion 1}
            {:start 14000 :dur -1 :process 0 :kind 3 :f "read" :value "[0 nil]" :result nil :node nil :served nil :error nil :index 6 :completion -1}]
           rows)
        "times in microseconds; an unchanged completion value is not stored again; a pending op has duration -1")
    (testing "repeated strings are stored once"
      (is (= (count (:strings cols)) (count (distinct (:strings cols))))))
    (testing "history indices of invocations and completions map to their rows"
      (is (= [{:index 2 :row 1} {:index 5 :row 2} {:index 6 :row 3}] (series/marked-rows pairs [2 5 6 99]))))))

(deftest cuts-long-values
  (is (= 160 (count (series/value-text (apply str (repeat 300 "x"))))))
  (is (re-find #" 49 \.\.\.\]$" (series/value-text (vec (range 200)))) "long collections are elided")
  (is (= "[0 nil]" (series/value-text [0 nil]))))

(deftest perf-series-count-and-rank
  (testing "bucket widths are round and keep the series short"
    (is (= 0.1 (series/bucket-seconds 5)))
    (is (= 0.5 (series/bucket-seconds 60)))
    (is (= 5 (series/bucket-seconds 600)))
    (is (= 600 (series/bucket-seconds 1e6))))
  (testing "quantiles by nearest rank"
    (is (= 3 (series/quantile [1 2 3 4] 0.5)))
    (is (= 4 (series/quantile [1 2 3 4] 1.0)))
    (is (nil? (series/quantile [] 0.5))))
  (let [ops (vec (for [i (range 100)
                       :let [t (* i 100 ms) lat (* (inc (mod i 10)) ms)]
                       o [{:index (* 2 i) :time t :type :invoke :process 0 :f :read :value nil}
                          {:index (inc (* 2 i)) :time (+ t lat) :type (if (even? i) :ok :fail) :process 0 :f :read :value nil}]]
                   o))
        {:keys [bucket-s x throughput latency]} (series/perf-series (wh/pairs ops) (:time (peek ops)))]
    (is (= 0.1 bucket-s) "10 s of history: 0.1 s buckets")
    (is (= 100 (count x)))
    (is (= ["read ok" "read fail"] (map #(str (:f %) " " (:type %)) (sort-by :type #(compare %2 %1) throughput))))
    (is (every? #(< (Math/abs (- 50.0 (reduce + (map (fn [y] (* y bucket-s)) (:y %))))) 1e-6) throughput)
        "each outcome's completions, summed over the buckets, are 50 ops")
    (let [p50 (first (filter #(= 0.5 (:q %)) latency))]
      (is (= 1.0 (first (:y p50))) "the first op took 1 ms")
      (is (= 10.0 (nth (:y p50) 9)) "the tenth took 10 ms"))))
