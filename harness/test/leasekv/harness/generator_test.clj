(ns leasekv.harness.generator-test
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.independent :as independent]
            [leasekv.harness.nemesis]))

(defn- invocations [history] (filterv #(= :invoke (:type %)) history))
(defn- sim
  ([g] (sim g {}))
  ([g opts] (gen/simulate g (merge {:concurrency 2} opts))))

(deftest map-is-one-op
  (let [h (sim {:f :read})]
    (is (= 2 (count h)))
    (is (= [:invoke :ok] (map :type h)))
    (is (= :read (:f (first h))))
    (is (contains? #{0 1 :nemesis} (:process (first h))))))

(deftest nil-and-empty-are-exhausted
  (is (nil? (gen/op nil {} (gen/context 2))))
  (is (nil? (gen/op [] {} (gen/context 2))))
  (is (= [] (sim nil))))

(deftest sequences-run-in-order
  (is (= [:a :b :c] (map :f (invocations (sim [{:f :a} {:f :b} {:f :c}]))))))

(deftest limit-and-repeat
  (is (= 5 (count (invocations (sim (gen/limit 5 (gen/repeat {:f :w})))))))
  (is (= 3 (count (invocations (sim (gen/repeat 3 {:f :w}))))))
  (is (= 1 (count (invocations (sim (gen/once (gen/repeat {:f :w})))))))
  (testing "a function is an infinite generator"
    (let [n (atom 0)
          h (sim (gen/limit 4 (fn [] {:f :w :value (swap! n inc)})))]
      (is (= 4 (count (invocations h)))))))

(deftest pending-when-threads-busy
  (let [ctx (-> (gen/context 1) (update :free-threads disj 0))]
    (is (= :pending (gen/op (gen/clients {:f :r}) {} ctx)))))

(deftest time-limit-stops-emitting
  (let [h (sim (gen/time-limit 1 (gen/delay 0.1 (gen/repeat {:f :w}))) {:latency-secs 0.001})
        times (map :time (invocations h))]
    (is (<= 9 (count times) 10))
    (is (every? #(< % 1e9) times))))

(deftest delay-spaces-ops
  (let [times (map :time (invocations (sim (gen/limit 5 (gen/delay 0.5 (gen/repeat {:f :w}))))))]
    (is (= 5 (count times)))
    (is (every? #(>= % 499999999) (map - (rest times) times)))))

(deftest stagger-averages-its-interval
  (let [times (map :time (invocations (sim (gen/limit 400 (gen/stagger 0.01 (gen/repeat {:f :w})))
                                           {:concurrency 4})))
        mean-gap (/ (- (last times) (first times)) (dec (count times)) 1e9)]
    (is (< 0.007 mean-gap 0.013) (str "mean gap " mean-gap))))

(deftest rate-limits-throughput
  (let [times (map :time (invocations (sim (gen/time-limit 10 (gen/rate 50 (gen/repeat {:f :w})))
                                           {:concurrency 8})))]
    (is (< 400 (count times) 600))))

(deftest mix-draws-from-all
  (let [fs (frequencies (map :f (invocations (sim (gen/limit 300 (gen/mix [(gen/repeat {:f :a})
                                                                             (gen/repeat {:f :b})]))))))]
    (is (< 100 (:a fs) 200))
    (is (< 100 (:b fs) 200)))
  (testing "exhausted members are dropped"
    (is (= {:a 1 :b 2} (frequencies (map :f (invocations (sim (gen/mix [{:f :a} [{:f :b} {:f :b}]])))))))))

(deftest nemesis-and-clients-use-their-own-threads
  (let [h (sim (gen/nemesis (gen/limit 3 (gen/repeat {:type :info :f :start}))
                            (gen/limit 10 (gen/repeat {:f :w}))))
        by-f (group-by :f h)]
    (is (every? #(= :nemesis (:process %)) (:start by-f)))
    (is (every? #(integer? (:process %)) (:w by-f)))
    (is (= 10 (count (invocations h))))))

(deftest phases-wait-for-all-threads
  (let [h (sim (gen/phases (gen/limit 4 (gen/repeat {:f :a})) {:f :b}) {:concurrency 3})
        b-invoke (first (filter #(= :b (:f %)) h))
        last-a-complete (last (filter #(and (= :a (:f %)) (= :ok (:type %))) h))]
    (is (> (:time b-invoke) 0))
    (is (>= (:time b-invoke) (:time last-a-complete)))))

(deftest then-runs-its-second-argument-first
  (is (= [:first :second] (map :f (invocations (sim (gen/then {:f :second} {:f :first})))))))

(deftest each-thread-gives-every-thread-a-copy
  (let [h (invocations (sim (gen/clients (gen/each-thread [{:f :a} {:f :b}])) {:concurrency 3}))]
    (is (= 6 (count h)))
    (is (= {0 2 1 2 2 2} (frequencies (map :process h))))))

(deftest reserve-splits-threads
  (let [h (invocations (sim (gen/clients (gen/limit 60 (gen/reserve 1 (gen/repeat {:f :w})
                                                                     (gen/repeat {:f :r}))))
                            {:concurrency 3}))]
    (is (every? #(= 0 (:process %)) (filter #(= :w (:f %)) h)))
    (is (every? #(#{1 2} (:process %)) (filter #(= :r (:f %)) h)))))

(deftest info-retires-the-process
  (let [h (sim (gen/clients (gen/limit 3 (gen/repeat {:f :w}))) {:concurrency 1 :complete (constantly :info)})]
    (is (= [0 1 2] (map :process (invocations h))))))

(deftest sleep-holds-the-nemesis-thread
  (let [h (sim (gen/nemesis [(gen/sleep 2) {:type :info :f :start} (gen/sleep 3) {:type :info :f :stop}]))
        start (first (filter #(= :start (:f %)) h))
        stop (first (filter #(= :stop (:f %)) h))]
    (is (>= (:time start) 2e9))
    (is (>= (- (:time stop) (:time start)) 3e9))))

(deftest flip-flop-alternates
  (is (= [:a :b :a :b] (map :f (invocations (sim (gen/limit 4 (gen/flip-flop (gen/repeat {:f :a})
                                                                               (gen/repeat {:f :b})))))))))

(deftest until-ok-stops-after-success
  (let [n (atom 0)
        h (sim (gen/clients (gen/until-ok (gen/repeat {:f :r})))
               {:concurrency 1 :complete (fn [_] (if (< (swap! n inc) 3) :fail :ok))})]
    (is (= 3 (count (invocations h))))))

(deftest independent-groups-of-threads-per-key
  (let [h (sim (gen/clients (independent/concurrent-generator 2 (range 3) (fn [_] (gen/limit 4 (gen/repeat {:f :w})))))
               {:concurrency 4})
        inv (invocations h)]
    (is (= 12 (count inv)))
    (is (= {0 4 1 4 2 4} (frequencies (map (comp first :value) inv))))
    (testing "a key is only worked on by one group of threads"
      (doseq [[k ops] (group-by (comp first :value) inv)]
        (is (= 1 (count (distinct (map #(quot (:process %) 2) ops)))) (str "key " k))))))

(deftest nemesis-schedule-takes-turns
  (let [h (sim (gen/nemesis (gen/limit 24 (leasekv.harness.nemesis/schedule #{:partition :kill :pause} 1))))
        starts (map :f (filter #(and (= :info (:type %)) (#{:start-partition :kill :pause} (:f %))) h))]
    (is (= 6 (count starts)))
    (is (= #{:start-partition :kill :pause} (set (take 3 starts))) "every fault within one round")
    (is (= #{:start-partition :kill :pause} (set (drop 3 starts))))))

(deftest transfer-has-no-stop-op
  (let [h (sim (gen/nemesis (gen/limit 6 (leasekv.harness.nemesis/schedule #{:transfer} 1))))
        fs (map :f (filter #(= :info (:type %)) h))]
    (is (= [:transfer-leadership :transfer-leadership :transfer-leadership] fs))))
