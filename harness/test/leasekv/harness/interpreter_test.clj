(ns leasekv.harness.interpreter-test
  "The interpreter against an in-memory register client and a recording nemesis: no cluster."
  (:require [clojure.test :refer [deftest is testing]]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.client :as client]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.history :as h]
            [leasekv.harness.interpreter :as interpreter]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.workloads.register :as register]))

(defrecord AtomClient [state opened]
  client/Client
  (open! [this _ node] (swap! opened conj node) this)
  (setup! [_ _] nil)
  (invoke! [_ _ {:keys [f value] :as op}]
    (let [[k v] value]
      (case f
        :read (assoc op :type :ok :value [k (get @state k)])
        :write (do (swap! state assoc k v) (assoc op :type :ok))
        :cas (let [[old new] v]
               (if (= old (get @state k))
                 (do (swap! state assoc k new) (assoc op :type :ok))
                 (assoc op :type :fail)))
        :boom (throw (RuntimeException. "lost connection"))
        :hang (do (Thread/sleep 300) (assoc op :type :info :error :timeout)))))
  (teardown! [_ _] nil)
  (close! [_ _] nil))

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
