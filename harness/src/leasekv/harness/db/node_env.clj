(ns leasekv.harness.db.node-env
  "What a leasekv node runs on besides its own process, when a test's faults need it: lazyfs
  mounts under its WAL and state-machine directories (power loss) and a delaying proxy in front of
  its peer port (packet delay). The leasekv DB calls these hooks; each does nothing unless the
  test enables its part (:lazyfs-dirs, :delay-proxy?)."
  (:require [leasekv.harness.delay :as delay]
            [leasekv.harness.lazyfs :as lazyfs]
            [leasekv.harness.log :as log]
            [leasekv.harness.util :as util]))

(defn setup!
  "After the node's directory was wiped, before its store first starts."
  [test node]
  (lazyfs/setup! test node)
  (delay/setup! test node)
  nil)

(defn before-start!
  "Before every (re)start of the store: mounts and proxy must be there."
  [test node]
  (lazyfs/ensure-mounted! test node)
  (delay/ensure-running! test node)
  nil)

(defn teardown!
  "After the store was killed, before the node's directory is removed. Removes leftovers of
  earlier runs too (a live mount would make the removal fail or delete through it)."
  [test node]
  (let [t0 (System/nanoTime)]
    (delay/teardown! test node)
    (lazyfs/teardown! test node)
    (let [secs (util/nanos->secs (- (System/nanoTime) t0))]
      (when (> secs 5) (log/warn! "Removing lazyfs mounts and delay proxy on" node "took" (util/fraction-str 1 secs) "s"))))
  nil)

(defn store-peer-addr
  "The --peer-addr for the store."
  [test]
  (delay/store-peer-addr test))

(defn log-files [test node]
  (merge (lazyfs/log-files test node) (delay/log-files test node)))
