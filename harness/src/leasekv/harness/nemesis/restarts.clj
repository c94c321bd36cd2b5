(ns leasekv.harness.nemesis.restarts
  "Restarting stopped nodes and seeing whether they came back. A node that cannot restart (the safe
  store refuses to start, exit 3, when its WAL or its state machine is damaged or they do not fit
  together; an unsafe one may leave them so) is a finding, not a crash of the harness: every op
  that restarts nodes (:start, the final heal, a power loss) waits, bounded, until each node it
  started serves clients or its process died, and records the dead ones as :failed-starts
  {node log-tail}; the restarts checker (leasekv.harness.nemesis.power-loss/checker) makes such a
  run invalid, naming the node and the last line of its log.

  DBs that cannot tell whether a node serves (no leasekv.harness.db/Liveness) are started without
  waiting, as before."
  (:require [leasekv.harness.db :as db]
            [leasekv.harness.util :as util]))

(def start-timeout-ms
  "How long a restarted node may take to serve clients before the op moves on (it then counts as
  :starting, not as failed)."
  30000)

(defn await-started
  "Waits (up to timeout-ms) until node serves clients or its process died. Returns :serving,
  :starting (still starting or replaying when time ran out) or {:died log-tail}. A node seen
  dead is looked at once more 200 ms later: a pidfile can be rewritten just as it restarts."
  [test node timeout-ms]
  (let [database (:db test)
        deadline (+ (System/nanoTime) (* 1000000 (long timeout-ms)))]
    (loop []
      (let [state (db/process-state database test node)]
        (cond
          (= :serving state) :serving
          (map? state) (do (Thread/sleep 200)
                           (let [again (db/process-state database test node)]
                             (if (map? again) again (recur))))
          (> (System/nanoTime) deadline) :starting
          :else (do (Thread/sleep 250) (recur)))))))

(defn await-all
  "Waits for each of nodes as await-started does, in parallel. Returns a sorted map node -> outcome."
  [test nodes timeout-ms]
  (into (sorted-map) (util/on-nodes! test nodes (fn [test node] (await-started test node timeout-ms)))))

(defn failed-starts
  "Takes node -> outcome (see await-started). Returns a sorted map node -> log tail of the nodes
  that died, or nil when none did."
  [outcomes]
  (not-empty (into (sorted-map) (for [[node o] outcomes :when (map? o)] [node (:died o)]))))

(defn awaits?
  "True when the test's DB can say whether a node serves (so restarts are awaited)."
  [test]
  (satisfies? db/Liveness (:db test)))

(defn start-all!
  "Starts every node of the test that is not running and, when the DB can tell, waits until each
  one started serves or died. Returns {:started {node :started|:already-running} :failed-starts
  {node log-tail}} (:failed-starts only when some node died)."
  [test]
  (let [started (into (sorted-map) (util/on-nodes! test (fn [test node] (db/start! (:db test) test node))))
        restarted (vec (for [[node r] started :when (= :started r)] node))
        failed (when (and (seq restarted) (awaits? test))
                 (failed-starts (await-all test restarted start-timeout-ms)))]
    (cond-> {:started started}
      failed (assoc :failed-starts failed))))

(defn- keyword-entry
  "The value of keyword k in m, or nil. Not get: in a run's own history a value may be a sorted map
  keyed by node names, which cannot be asked for a keyword."
  [m k]
  (when (map? m) (some (fn [[mk v]] (when (= k mk) v)) m)))

(defn op-failed-starts
  "Takes a nemesis completion. Returns the nodes it found unable to restart, node -> log tail: the
  op's own :failed-starts (:start, :heal, :crash-at), or its value's (a power loss's)."
  [op]
  (merge (keyword-entry (:value op) :failed-starts) (:failed-starts op)))
