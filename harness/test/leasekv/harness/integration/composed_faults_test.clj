(ns ^:integration leasekv.harness.integration.composed-faults-test
  "The faults added for issue 14 on one real 5-node leasekv cluster, in one short run (set
  workload, so re-sent writes would show as duplicates): a follower cut off from the leader and then
  the leader isolated, healed in turn; a backward wall-clock step of the leader; a follower's apply
  thread stalled and leadership handed to it; append acks held past the client timeout, so writes
  are re-sent; a power loss that strikes in the middle of every node's next WAL fsync and tears the
  batch being synced. Each must act and be recorded, the final heal must undo them, and the safe
  store must stay valid."
  (:require [clojure.test :refer [deftest is testing]]
            [clojure.tools.cli :as tools-cli]
            [leasekv.harness.cli :as cli]
            [leasekv.harness.core :as core]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.history :as h]
            [leasekv.harness.integration.support :as support]
            [leasekv.harness.net :as net]
            [leasekv.harness.tests :as tests]))

(defn- options [args]
  (let [{:keys [options errors]} (tools-cli/parse-opts args cli/test-options)]
    (assert (empty? errors) (pr-str errors))
    options))

(defn- op [f & [v]] (cond-> {:type :info :f f} (some? v) (assoc :value v)))

(def schedule
  [(gen/sleep 1)
   (op :start-partition :follower-from-leader)
   (gen/sleep 0.5)
   (op :start-partition :isolate-leader)
   (gen/sleep 0.5)
   (op :heal-partition :isolate-leader)
   (op :stop-partition)
   (op :clock {:action :wall-step :target :leader :ms -30000})
   (op :clock-reset)
   (op :start-stall-apply {:target :follower :ms 1000 :transfer? true})
   (gen/sleep 1.2)
   (op :stop-stall-apply)
   (op :start-delay {:target :leader :ms 2000 :lane :replication})
   (gen/sleep 1.5)
   (op :stop-delay)
   (gen/sleep 3)
   (op :power-loss {:nodes :all :dirs :wal :loss :tear :at-fsync? true :seed 42})])

(deftest ^:integration new-faults-act-are-recorded-and-healed-and-the-safe-store-stays-valid
  (support/call-with-results-dir
   (fn [dir]
     (let [test (tests/build-test (options ["--workload" "set" "--time-limit" "18" "--rate" "60"
                                            "--request-timeout-ms" "1000" "--results-dir" dir
                                            "--nemesis" "partition,clock,stall-apply,delay,power-loss,transfer"]))
           t (core/run-test! (assoc test :nemesis-generator schedule))
           ops (h/ops (:history t))
           done (fn [f] (take-nth 2 (rest (filter #(and (= :nemesis (:process %)) (= f (:f %))) ops))))
           results (:results t)]
       (is (true? (:valid? results)) (pr-str (:findings results)))
       (testing "partitions compose: the isolation adds to the follower's cut, and healing it leaves that cut"
         (let [[first-cut second-cut] (map :value (done :start-partition))
               healed (:value (first (done :heal-partition)))]
           (is (= (:grudge first-cut) (:cut first-cut)))
           (is (= (net/merge-grudges (:grudge first-cut) (:grudge second-cut)) (:cut second-cut)))
           (is (= (:grudge first-cut) (:cut healed)))))
       (testing "a backward wall-clock step is recorded, and undone by the reset"
         (let [[stepped] (done :clock)
               [node] (get-in stepped [:value :nodes])]
           (is (= -30000.0 (get-in stepped [:value :clocks node :wall-offset-ms])))
           (is (every? #(= 0.0 (:wall-offset-ms %)) (vals (get-in (first (done :clock-reset)) [:value :clocks]))))))
       (testing "the stalled follower was made leader"
         (let [{:keys [node reply transfer]} (:value (first (done :start-stall-apply)))]
           (is (= "OK" reply))
           (is (re-find (re-pattern (str "-> " node ": OK")) (str transfer)) transfer)))
       (testing "acks held past the client timeout made the client re-send writes"
         (is (pos? (get-in results [:resends :resent-op-count] 0)) (pr-str (:resends results))))
       (testing "the power loss struck in the middle of WAL fsyncs, and every node recovered its WAL"
         (let [loss (:value (first (done :power-loss)))]
           (is (pos? (count (filter :struck? (for [[_ by-kind] (:at-fsync loss)] (:wal by-kind))))) (pr-str (:at-fsync loss)))
           (is (= 5 (count (filter some? (vals (:wal-recovery loss))))) (pr-str (:wal-recovery loss)))
           (is (every? #{:serving} (vals (:restarted loss))) (pr-str (:restarted loss)))
           (is (= 1 (get-in results [:restarts :power-losses])))))
       (testing "the final heal ended every fault"
         (let [heal (last (filter #(= :heal (:f %)) ops))]
           (is (= #{:delay :clock :stall-apply} (set (keys (get-in heal [:value :extra])))))))))))
