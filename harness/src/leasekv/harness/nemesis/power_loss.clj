(ns leasekv.harness.nemesis.power-loss
  "The power-loss fault: what a plain kill -9 cannot do to a store that skips fsyncs. The kernel
  keeps every write of a killed process, so kill -9 loses nothing; lazyfs (see
  leasekv.harness.lazyfs) keeps unsynced writes aside and drops them on command.

  One op, {:f :power-loss :value {:nodes :one|:minority|:majority|:all|:leader, :dirs :wal|:fsm|:both
                                   [:loss :all|:keep-prefix|:tear] [:at-fsync? bool] [:seed n]}},
  hits its nodes at once, in phases so that no node restarts before every target lost its data:
    0. with :at-fsync?, arm a loss on every target's WAL directory that strikes in the middle of its
       next fsync (the fsync fails, the write it was syncing is torn or kept per :loss, the disk is
       dead from then on), and wait up to 2 s for each to strike: the WAL syncs right after
       writing, so only this catches it with unsynced bytes (RocksDB's directory, unsynced in
       nosync mode, is hit after the kill as usual);
    1. kill -9 the store on every target and wait until it is gone;
    2. lose the unsynced data of every target directory (:loss :all, the default: all of it;
       :keep-prefix or :tear: part of it, lazyfs/README.md), then unmount and mount it again (a new
       mount starts with no kernel cache and reads only what was durable);
    3. restart the stores, and wait (bounded) until each serves or dies.
  The directories not named keep their unsynced data, as a process crash would. Every partial loss
  draws from a seed derived from :seed, the node and the directory (recorded in the completion's
  :lost), so a run's losses can be repeated. The completion's :wal-recovery holds each restarted
  node's WAL recovery report (\"clean tail\" or \"truncated torn WAL tail ...\"): the checker counts
  the torn tails, so a run shows that WAL recovery met one.

  A node that dies at restart (the safe store exits 3 when its WAL and state machine do not fit
  together) is reported in the completion's :failed-starts with the end of its log; `checker`
  makes such a run invalid."
  (:require [clojure.string :as str]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.control :as c]
            [leasekv.harness.db :as db]
            [leasekv.harness.lazyfs :as lazyfs]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.restarts :as restarts]
            [leasekv.harness.util :as util]))

(def default-targets
  [{:nodes :all :dirs :both} {:nodes :all :dirs :fsm} {:nodes :all :dirs :wal}
   {:nodes :minority :dirs :both} {:nodes :one :dirs :both}
   {:nodes :all :dirs :both :loss :keep-prefix} {:nodes :all :dirs :wal :loss :tear :at-fsync? true}])

(defn with-seed
  "Takes a power-loss target. Returns it with a fresh random :seed when it loses part of the data."
  [target]
  (if (and (:loss target) (not= :all (:loss target)) (nil? (:seed target)))
    (assoc target :seed (.nextLong (java.util.Random.)))
    target))

(defn node-seed
  "The seed of one directory's partial loss: derived from the op's seed, the node and the kind."
  [seed node kind]
  (hash [seed node (name kind)]))

(defn- store-log [test node]
  (str (db/node-dir test node) "/store.log"))

(defn wal-recovery
  "Returns the WAL recovery report node's store logged at its latest start (the text after
  `wal: `), or nil."
  [test node]
  (let [line (c/exec! (:remote test) node (str "grep -a 'wal: ' " (c/escape (store-log test node)) " | tail -n 1"))]
    (when-let [[_ report] (re-find #"wal: (.*)$" line)] report)))

(defn- arm-and-await!
  "Phase 0: arms a loss at the next fsync on every kind of every target, then waits for each.
  Returns node -> kind -> {:struck? bool :torn-writes n}."
  [test targets kinds loss seed]
  (util/on-nodes! test targets (fn [test node]
                                 (doseq [k kinds] (lazyfs/arm-loss! test node k (or loss :all) (node-seed seed node k)))))
  (util/on-nodes! test targets
                  (fn [test node]
                    (into (sorted-map)
                          (for [k kinds
                                :let [stats (lazyfs/await-armed-loss! test node k 2)]]
                            [k {:struck? (= 1 (:dead stats)) :torn-writes (:torn-writes stats 0)}])))))

(defn power-loss!
  "Applies a power loss {:nodes target :dirs :wal|:fsm|:both :loss mode :at-fsync? b :seed n} (see
  the namespace doc). Returns {:nodes [...] :dirs [...] :lost {node {dir {...}}} :restarted {node
  outcome} :wal-recovery {node report} :failed-starts {...}}, plus :at-fsync {node {dir {...}}}."
  [test value]
  (let [{:keys [nodes dirs loss at-fsync? seed] :or {nodes :all dirs :both}} (with-seed value)
        targets (nemesis/select-nodes test nodes)
        kinds (lazyfs/parse-dirs dirs)
        db (:db test)]
    (when-not (every? (set (lazyfs/enabled-dirs test)) kinds)
      (throw (ex-info (str "power loss on " (name dirs) " needs lazyfs under those directories; the test mounts "
                           (pr-str (lazyfs/enabled-dirs test)))
                      {:type :bad-target})))
    (let [t0 (System/nanoTime)
          took #(util/fraction-str 1 (util/nanos->secs (- (System/nanoTime) t0)))
          struck (when (and at-fsync? (some #{:wal} kinds))
                   ;; Whatever goes wrong here, the kill, the loss and the remount below still run.
                   (try (arm-and-await! test targets [:wal] loss seed)
                        (catch Exception e
                          (log/warn! "power loss: arming at fsync failed:" (.getMessage e))
                          {:error (.getMessage e)})))
          _ (util/on-nodes! test targets (fn [test node] (db/kill! db test node)))
          _ (log/info! "power loss:" (count targets) "stores killed after" (took) "s")
          lost (util/on-nodes! test targets
                               (fn [test node]
                                 (into (sorted-map) (map vector kinds
                                                         (util/real-pmap #(lazyfs/lose-unsynced! test node % loss (node-seed seed node %))
                                                                         kinds)))))
          _ (log/info! "power loss: unsynced data dropped and remounted after" (took) "s")
          _ (util/on-nodes! test targets (fn [test node] (db/start! db test node)))
          outcomes (restarts/await-all test targets 60000)
          _ (log/info! "power loss: restarts done after" (took) "s:" (pr-str outcomes))
          failed (restarts/failed-starts outcomes)
          recoveries (into (sorted-map) (util/on-nodes! test targets wal-recovery))]
      (cond-> {:nodes (vec (sort targets)) :dirs kinds
               :lost (into (sorted-map) (for [[n by-kind] lost]
                                          [n (into (sorted-map)
                                                   (for [[k m] by-kind]
                                                     [k (select-keys m [:lost-page-bytes :lost-files :undone-ops :mode :seed
                                                                        :kept-changes :kept-bytes :torn-writes])]))]))
               :restarted (into (sorted-map) (for [[n o] outcomes] [n (if (map? o) :died o)]))
               :wal-recovery recoveries}
        loss (assoc :loss loss :seed seed)
        struck (assoc :at-fsync (into (sorted-map) struck))
        failed (assoc :failed-starts failed)))))

(defn torn-tail?
  "True when a WAL recovery report says a torn tail was truncated."
  [report]
  (boolean (re-find #"torn WAL tail" (str report))))

(defn describe [{:keys [nodes dirs loss at-fsync?]}]
  (str (name (or nodes :all)) " " (name (or dirs :both))
       (when (and loss (not= :all loss)) (str " " (name loss)))
       (when at-fsync? " at fsync")))

(defn checker
  "A checker over the nemesis ops: invalid when a node could not restart, after a power loss, a
  crash, a kill or in the final heal (the safe store must always come back; an unsafe one may
  refuse, which is caught too). Reads the :failed-starts of every nemesis completion (see
  leasekv.harness.nemesis.restarts) and counts what the power losses did."
  []
  (reify checker/Checker
    (check [_ _ history _]
      (let [ops (filter #(and (= :nemesis (:process %)) (= :power-loss (:f %)) (map? (:value %))
                              (contains? (:value %) :restarted))
                        history)
            failures (for [op history
                           :when (= :nemesis (:process op))
                           [node tail] (restarts/op-failed-starts op)]
                       {:op-index (:index op) :f (:f op) :node node :log-tail (str/trim (str tail))})]
        {:valid? (empty? failures)
         :power-losses (count ops)
         :lost-bytes (reduce + 0 (for [op ops, [_ by-kind] (get-in op [:value :lost]), [_ m] by-kind]
                                   (:lost-page-bytes m 0)))
         :torn-writes (reduce + 0 (concat (for [op ops, [_ by-kind] (get-in op [:value :lost]), [_ m] by-kind]
                                            (:torn-writes m 0))
                                          (for [op ops, [_ by-kind] (get-in op [:value :at-fsync]), [_ m] by-kind]
                                            (:torn-writes m 0))))
         :struck-at-fsync (count (for [op ops, [_ by-kind] (get-in op [:value :at-fsync]), [_ m] by-kind
                                       :when (:struck? m)]
                                   m))
         :wal-recoveries (count (for [op ops, [_ r] (get-in op [:value :wal-recovery]) :when r] r))
         :torn-tail-recoveries (count (for [op ops, [_ r] (get-in op [:value :wal-recovery]) :when (torn-tail? r)] r))
         :failed-starts (vec failures)}))))
