(ns leasekv.harness.interpreter-test
  "The interpreter against an in-memory register client and a recording nemesis: no cluster."
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.client :as client]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.history :as h]
            [leasekv.harness.interpreter :as interpreter]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.workloads.register :as register])
  (:import (java.util.concurrent.locks LockSupport)))

(defrecord AtomClient [state opened]
  client/Client
  (open! [this _ node] (swap! opened conj node) this)
  (setup! [_ _] nil)
  (invoke! [_ _ {:keys [f value] :as op}]
    (let [[k v] value]
      (case f
        :boom (throw (RuntimeException. "lost connection"))
        :hang (do (Thread/sleep 300) (assoc op :type :info :error :timeout))
        (locking state ; a cas reads and writes as one step, as a register does
          (case f
            :read (assoc op :type :ok :value [k (get @state k)])
            :write (do (swap! state assoc k v) (assoc op :type :ok))
            :cas (let [[old new] v]
                   (if (= old (get @state k))
                     (do (swap! state assoc k new) (assoc op :type :ok))
                     (assoc op :type :fail))))))))
  (teardown! [_ _] nil)
  (close! [_ _] nil))

(defn- pause! [] (LockSupport/parkNanos (* 1000 (rand-int 3000))))

(defrecord SlowClient [inner]
  client/Client
  (open! [this test node] (client/open! inner test node) this)
  (setup! [_ test] (client/setup! inner test))
  (invoke! [_ test op]
    (pause!) ; 0-3 ms each way, as over a network: the ops of one key overlap
    (let [done (client/invoke! inner test op)]
      (pause!)
      done))
  (teardown! [_ test] (client/teardown! inner test))
  (close! [_ test] (client/close! inner test)))

(defrecord RecordingNemesis [seen]
  nemesis/Nemesis
  (setup! [this _] this)
  (invoke! [_ _ op] (swap! seen conj (:f op)) (assoc op :value :done))
  (teardown! [_ _] nil))

(defn- run [generator concurrency client nem]
  (let [test {:nodes ["n1" "n2" "n3"] :concurrency concurrency :client client :nemesis nem
              :history (h/recorder nil) :start-nanos (System/nanoTime) :abort (atom false)
              :stats (atom {}) :generator generator}]
    (interpreter/run! test)
    (assoc test :ops (h/ops (:history test)))))

(deftest runs-a-register-workload-and-records-a-linearizable-history
  (let [client (->AtomClient (atom {}) (atom []))
        nem (->RecordingNemesis (atom []))
        wl (register/workload {:concurrency 6 :ops-per-key 30})
        t (run (gen/time-limit 3 (gen/nemesis [(gen/sleep 0.2) {:type :info :f :start-partition} {:type :info :f :stop-partition}]
                                              (gen/limit 300 (:generator wl))))
               6 client nem)
        ops (:ops t)]
    (is (= 600 (count (filter h/client-op? ops))))
    (is (= (range (count ops)) (map :index ops)))
    (is (apply <= (map :time ops)) "times increase with the index")
    (is (= [:start-partition :stop-partition] @(:seen nem)))
    (is (every? #(= :info (:type %)) (filter #(= :nemesis (:process %)) ops)))
    (is (= #{"n1" "n2" "n3"} (set @(:opened client))) "threads spread over the nodes")
    (is (= 300 (reduce + (vals @(:stats t)))))
    (is (true? (:valid? (checker/check (:checker wl) {} ops {})))
        "a single atom is linearizable")))

(deftest exceptions-are-info-and-retire-the-process
  (let [client (->AtomClient (atom {}) (atom []))
        t (run (gen/clients (gen/limit 3 (gen/repeat {:f :boom :value [1 nil]}))) 1 client (->RecordingNemesis (atom [])))
        completions (remove h/invoke? (:ops t))]
    (is (every? #(= :info (:type %)) completions))
    (is (= "java.lang.RuntimeException" (get-in (first completions) [:exception :class])))
    (is (= [0 1 2] (map :process (filter h/invoke? (:ops t)))))
    (is (= 3 (count @(:opened client))) "a new process opens a new client")))

(deftest abort-stops-new-ops
  (let [client (->AtomClient (atom {}) (atom []))
        abort (atom false)
        test {:nodes ["n1"] :concurrency 2 :client client :nemesis (->RecordingNemesis (atom []))
              :history (h/recorder nil) :start-nanos (System/nanoTime) :abort abort :stats (atom {})
              :generator (gen/clients (gen/repeat {:f :hang :value [1 nil]}))}
        fut (future (interpreter/run! test))]
    (Thread/sleep 500)
    (reset! abort true)
    (is (not= ::timeout (deref fut 5000 ::timeout)) "the run ends soon after the abort")
    (let [ops (h/ops (:history test))]
      (is (pos? (count ops)))
      (is (= (count (filter h/invoke? ops)) (count (remove h/invoke? ops))) "ops in flight were waited for"))))

(deftest a-register-cas-succeeds-often-though-ops-of-its-key-overlap
  ;; A cas that always fails proves nothing about the store's cas path.
  (let [wl (register/workload {:concurrency 10 :ops-per-key 100})
        ops (:ops (run (gen/clients (gen/limit 1000 (:generator wl))) 10
                       (->SlowClient (->AtomClient (atom {}) (atom []))) (->RecordingNemesis (atom []))))
        cas (filter #(and (= :cas (:f %)) (not (h/invoke? %))) ops)
        ok (count (filter #(= :ok (:type %)) cas))]
    (is (every? #{:ok :fail} (map :type cas)) "the in-memory register never leaves an op unknown")
    (is (< 200 (count cas)) "about a third of the ops are cas")
    (is (<= 0.1 (/ ok (count cas))) (str ok " of " (count cas) " cas succeeded"))
    (is (true? (:valid? (checker/check (:checker wl) {} ops {}))) "an in-memory register is linearizable")))
