(ns leasekv.harness.workloads.register-test
  "The register workload's generator against an in-memory register whose ops take a random few
  milliseconds, as over a network: ops of one key overlap, and a cas must still succeed often
  enough that the cas path of a store is exercised (a cas that always fails proves nothing)."
  (:require [clojure.test :refer [deftest is]]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.client :as client]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.history :as h]
            [leasekv.harness.interpreter :as interpreter]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.workloads.register :as register])
  (:import (java.util.concurrent.locks LockSupport)))

(defn- pause! [] (LockSupport/parkNanos (* 1000 (rand-int 3000))))

(defrecord SlowRegisterClient [state]
  client/Client
  (open! [this _ _] this)
  (setup! [_ _] nil)
  (invoke! [_ _ {:keys [f value] :as op}]
    (pause!)
    (let [[k v] value
          done (locking state
                 (case f
                   :read (assoc op :type :ok :value [k (get @state k)])
                   :write (do (swap! state assoc k v) (assoc op :type :ok))
                   :cas (let [[old new] v]
                          (if (= old (get @state k))
                            (do (swap! state assoc k new) (assoc op :type :ok))
                            (assoc op :type :fail)))))]
      (pause!)
      done))
  (teardown! [_ _] nil)
  (close! [_ _] nil))

(def ^:private no-nemesis
  (reify nemesis/Nemesis
    (setup! [this _] this)
    (invoke! [_ _ op] op)
    (teardown! [_ _] nil)))

(defn- run-workload [concurrency ops]
  (let [wl (register/workload {:concurrency concurrency :ops-per-key 100})
        test {:nodes ["n1"] :concurrency concurrency :client (->SlowRegisterClient (atom {}))
              :nemesis no-nemesis :history (h/recorder nil) :start-nanos (System/nanoTime)
              :abort (atom false) :stats (atom {}) :generator (gen/clients (gen/limit ops (:generator wl)))}]
    (interpreter/run! test)
    {:ops (h/ops (:history test)) :checker (:checker wl)}))

(deftest a-cas-succeeds-often-though-ops-of-its-key-overlap
  (let [{:keys [ops checker]} (run-workload 10 1000)
        cas (filter #(and (= :cas (:f %)) (not (h/invoke? %))) ops)
        ok (count (filter #(= :ok (:type %)) cas))]
    (is (every? #{:ok :fail} (map :type cas)) "the in-memory register never leaves an op unknown")
    (is (< 200 (count cas)) "about a third of the ops are cas")
    (is (<= 0.1 (/ ok (count cas)))
        (str ok " of " (count cas) " cas succeeded"))
    (is (true? (:valid? (checker/check checker {} ops {}))) "an in-memory register is linearizable")))
