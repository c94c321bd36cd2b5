(ns leasekv.harness.nemesis.node-counts-test
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.clock :as clock]
            [leasekv.harness.nemesis.crash-at :as crash-at]
            [leasekv.harness.nemesis.node-counts :as nc]
            [leasekv.harness.nemesis.schedules :as schedules]
            [leasekv.harness.tests :as tests]))

(defn- nodes [n] (mapv #(str "n" %) (range 1 (inc n))))

(defn- acts?
  "Whether fault with target changes anything on n nodes, asked of the code that picks its
  nodes (nil when that cannot be asked without a store)."
  [fault target n]
  (let [test {:nodes (nodes n)}
        picked #(boolean (seq %))]
    (case fault
      :partition (boolean (some seq (vals (nemesis/grudge-for test target))))
      (:kill :pause) (picked (nemesis/select-nodes test target))
      :power-loss (picked (nemesis/select-nodes test (nc/target-key target)))
      :clock (picked (#'clock/targets-now test (nc/target-key target)))
      :crash-at (let [k (nc/target-key target)
                      ;; the cut/uncut followers of the partition the schedules start first
                      kind ({:cut-followers :follower-from-leader :uncut-followers :followers-from-leader} k)
                      grudge (when (and kind (> n 1)) (nemesis/grudge-for test kind))
                      state (atom (if grudge {:partitions [{:kind kind :grudge grudge :leader (:leader (meta grudge))}]} {}))]
                  (picked (crash-at/targets-now test state k)))
      nil)))

(deftest every-target-acts-from-its-stated-node-count-and-not-below
  (doseq [[fault by-target] nc/target-min-nodes
          [target need] by-target
          :when (some? (acts? fault target need))]
    (dotimes [_ 5] ; targets are drawn at random: ask a few times
      (is (acts? fault target need) (str fault " " target " on " need))
      (when (> need 1)
        (is (not (acts? fault target (dec need))) (str fault " " target " on " (dec need)))))))

(deftest the-table-covers-every-fault-target-and-schedule
  (let [targets (schedules/default-targets 0.5)]
    (doseq [fault nemesis/faults]
      (is (or (contains? nc/fault-min-nodes fault)
              (every? #(get-in nc/target-min-nodes [fault (nc/target-key %)]) (get targets fault)))
          (str fault " or one of its targets has no node count")))
    (doseq [kind nemesis/partition-targets]
      (is (get-in nc/target-min-nodes [:partition kind]) (str kind))))
  (is (= (set (schedules/names)) (set (keys nc/schedule-min-nodes)))
      "every named schedule states its node count (and only those)"))

(defn- op-needs
  "The nodes one step of a named schedule needs to act."
  [{:keys [f value]}]
  (case f
    :start-partition (nc/target-needs :partition value)
    (:kill-followers :transfer-leadership :transfer-isolate :pause-for) 2
    :power-loss (nc/target-needs :power-loss value)
    :clock (nc/target-needs :clock value)
    :start-delay (nc/target-needs :delay value)
    :crash-at (nc/target-needs :crash-at value)
    :remove-voter (nc/target-needs :membership value)
    1))

(deftest no-schedule-claims-fewer-nodes-than-one-of-its-steps-needs
  (doseq [schedule-name (schedules/names)]
    (let [ops (->> (gen/simulate (gen/nemesis (gen/limit 400 ((:generator (schedules/schedule schedule-name)) {})) nil)
                                 {:concurrency 1 :max-ops 800})
                   (filter #(and (= :nemesis (:process %)) (not (#{:sleep :log} (:type %))))))
          needed (reduce max 1 (map op-needs ops))]
      (is (<= needed (nc/schedule-min-nodes schedule-name)) schedule-name))))

(deftest the-general-schedule-draws-only-targets-that-act
  (let [targets {:kill nemesis/kill-targets :partition nemesis/partition-targets
                 :clock (clock/within-bound-targets 0.5)}]
    (is (= {:kill [:one :majority :all :leader] :partition []
            :clock (filterv #(#{:leader :all} (:target %)) (clock/within-bound-targets 0.5))}
           (nc/acting-targets 1 targets)))
    (is (= [:random-halves :isolate-leader :one-way] (:partition (nc/acting-targets 2 targets))))
    (is (= targets (nc/acting-targets 3 targets)))
    (is (= targets (nc/acting-targets nil targets)))))

(deftest what-cannot-act-is-named-in-one-line
  (let [targets (schedules/default-targets 0.1)]
    (is (nil? (nc/check 1 {:faults #{:kill :pause :power-loss :clock} :targets targets})))
    (is (= "--nemesis partition cannot act on 1 node: random-halves, isolate-leader, one-way need at least 2, majorities-ring, bridge need at least 3; transfer cannot act on 1 node: it needs at least 2"
           (nc/check 1 {:faults #{:partition :kill :transfer} :targets targets})))
    (is (= "--nemesis partition cannot act on 2 nodes: bridge need at least 3"
           (nc/check 2 {:faults #{:partition} :targets (assoc targets :partition [:bridge])})))
    (is (= "--schedule clock needs at least 3 nodes; the test has 2" (nc/check 2 {:schedule "clock"})))
    (is (nil? (nc/check 1 {:schedule "power-loss-all" :faults #{:power-loss}})))))

(def ^:private base-options
  {:concurrency "2n" :workload "register" :nemesis-interval 5.0 :db "etcd" :time-limit 10 :rate 10.0
   :request-timeout-ms 1000 :results-dir "results" :base-dir "/tmp/x"})

(deftest a-test-whose-faults-cannot-act-is-refused-before-setup
  (testing "one node: partitions are refused, kills (restarted by the schedule) are not"
    (let [e (is (thrown? clojure.lang.ExceptionInfo
                         (tests/build-test (assoc base-options :nodes "n1" :nemesis "partition,kill"))))]
      (is (= :bad-option (:type (ex-data e))))
      (is (str/starts-with? (ex-message e) "--nemesis partition cannot act on 1 node"))
      (is (not (str/includes? (ex-message e) "\n"))))
    (let [ops (->> (gen/simulate (gen/nemesis (gen/limit 40 (:nemesis-generator (tests/build-test (assoc base-options :nodes "n1" :nemesis "kill")))) nil)
                                 {:concurrency 1 :max-ops 100})
                   (filter #(= :kill (:f %))))]
      (is (seq ops))
      (is (not-any? #(= :minority (:value %)) ops) "a minority of one node is nobody")))
  (testing "a named schedule below its node count"
    (is (thrown-with-msg? clojure.lang.ExceptionInfo #"--schedule power-loss-mixed needs at least 3 nodes; the test has 2"
                          (tests/build-test (assoc base-options :nodes "n1,n2" :schedule "power-loss-mixed"))))))
