(ns leasekv.harness.nemesis.power-loss
  "The power-loss fault: what a plain kill -9 cannot do to a store that skips fsyncs. The kernel
  keeps every write of a killed process, so kill -9 loses nothing; lazyfs (see
  leasekv.harness.lazyfs) keeps unsynced writes aside and drops them on command.

  One op, {:f :power-loss :value {:nodes :one|:minority|:majority|:all|:leader, :dirs :wal|:fsm|:both}},
  hits its nodes at once, in phases so that no node restarts before every target lost its data:
    1. kill -9 the store on every target and wait until it is gone;
    2. lose-unsynced on every target directory, then unmount and mount it again (a new mount starts
       with no kernel cache and reads only what was durable);
    3. restart the stores, and wait (bounded) until each serves or dies.
  The directories not named keep their unsynced data, as a process crash would.

  A node that dies at restart (the safe store exits 3 when its WAL and state machine do not fit
  together) is reported in the completion's :failed-starts with the end of its log; `checker`
  makes such a run invalid."
  (:require [clojure.string :as str]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.client.leasekv :as lkv-client]
            [leasekv.harness.control :as c]
            [leasekv.harness.db :as db]
            [leasekv.harness.lazyfs :as lazyfs]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.util :as util])
  (:import (leasekv.client LeaseKvClient)))

(def default-targets
  [{:nodes :all :dirs :both} {:nodes :all :dirs :fsm} {:nodes :all :dirs :wal}
   {:nodes :minority :dirs :both} {:nodes :one :dirs :both}])

(defn- serving? [test node]
  (try (with-open [^LeaseKvClient conn (lkv-client/open-client test node true)]
         (not= "replaying" (.role (.role conn))))
       (catch Exception _ false)))

(defn- store-paths [test node]
  (let [dir (db/node-dir test node)]
    {:pid (str dir "/store.pid") :log (str dir "/store.log")}))

(defn await-restart
  "Waits (up to timeout-ms) until node serves clients or its store died. Returns :serving,
  :starting (still replaying or electing when time ran out) or {:died log-tail}."
  [test node timeout-ms]
  (let [remote (:remote test)
        {:keys [pid log]} (store-paths test node)
        deadline (+ (System/nanoTime) (* 1000000 (long timeout-ms)))]
    (loop []
      (cond
        (serving? test node) :serving
        (not (c/daemon-pid remote node pid)) (do (Thread/sleep 200)
                                                 (if (c/daemon-pid remote node pid)
                                                   (recur)
                                                   {:died (c/tail remote node log 15)}))
        (> (System/nanoTime) deadline) :starting
        :else (do (Thread/sleep 250) (recur))))))

(defn power-loss!
  "Applies a power loss {:nodes target :dirs :wal|:fsm|:both} (see the namespace doc). Returns
  {:nodes [...] :dirs [...] :lost {node {dir {...}}} :restarted {node outcome} :failed-starts {...}}."
  [test {:keys [nodes dirs] :or {nodes :all dirs :both}}]
  (let [targets (nemesis/select-nodes test nodes)
        kinds (lazyfs/parse-dirs dirs)
        db (:db test)]
    (when-not (every? (set (lazyfs/enabled-dirs test)) kinds)
      (throw (ex-info (str "power loss on " (name dirs) " needs lazyfs under those directories; the test mounts "
                           (pr-str (lazyfs/enabled-dirs test)))
                      {:type :bad-target})))
    (let [t0 (System/nanoTime)
          took #(util/fraction-str 1 (util/nanos->secs (- (System/nanoTime) t0)))
          _ (util/on-nodes! test targets (fn [test node] (db/kill! db test node)))
          _ (log/info! "power loss:" (count targets) "stores killed after" (took) "s")
          lost (util/on-nodes! test targets
                               (fn [test node]
                                 (into (sorted-map) (map vector kinds
                                                         (util/real-pmap #(lazyfs/lose-unsynced! test node %) kinds)))))
          _ (log/info! "power loss: unsynced data dropped and remounted after" (took) "s")
          _ (util/on-nodes! test targets (fn [test node] (db/start! db test node)))
          outcomes (util/on-nodes! test targets (fn [test node] (await-restart test node 60000)))
          _ (log/info! "power loss: restarts done after" (took) "s:" (pr-str outcomes))
          failed (into (sorted-map) (filter (comp map? val) outcomes))]
      (cond-> {:nodes (vec (sort targets)) :dirs kinds
               :lost (into (sorted-map) (for [[n by-kind] lost]
                                          [n (into (sorted-map)
                                                   (for [[k m] by-kind]
                                                     [k (select-keys m [:lost-page-bytes :lost-files :undone-ops])]))]))
               :restarted (into (sorted-map) (for [[n o] outcomes] [n (if (map? o) :died o)]))}
        (seq failed) (assoc :failed-starts (into (sorted-map) (for [[n o] failed] [n (:died o)])))))))

(defn describe [{:keys [nodes dirs]}]
  (str (name (or nodes :all)) " " (name (or dirs :both))))

(defn checker
  "A checker over the nemesis ops: invalid when a node died while restarting after a power loss
  (the safe store must always come back from one; an unsafe one may refuse, which is caught too)."
  []
  (reify checker/Checker
    (check [_ _ history _]
      (let [ops (filter #(and (= :nemesis (:process %)) (= :power-loss (:f %)) (map? (:value %))
                              (contains? (:value %) :restarted))
                        history)
            failures (for [op ops, [node tail] (get-in op [:value :failed-starts])]
                       {:op-index (:index op) :node node :log-tail (str/trim (str tail))})]
        {:valid? (empty? failures)
         :power-losses (count ops)
         :lost-bytes (reduce + 0 (for [op ops, [_ by-kind] (get-in op [:value :lost]), [_ m] by-kind]
                                   (:lost-page-bytes m 0)))
         :failed-starts (vec failures)}))))
