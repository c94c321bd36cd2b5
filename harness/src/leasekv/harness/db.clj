(ns leasekv.harness.db
  "The system under test, seen from the harness. A DB installs, starts and wipes itself on one
  node at a time, through the test's :remote (see leasekv.harness.control); optional protocols
  add the faults it supports. Every function takes the test map and a node name."
  (:require [leasekv.harness.slot :as slot]
            [leasekv.harness.log :as log]
            [leasekv.harness.util :as util]))

(defprotocol DB
  (setup! [db test node]
    "Installs and starts the system on node and returns once this node has joined a working
    cluster. Called by cycle! after teardown! ran on every node, so the node is already wiped of
    what an earlier run left there.")
  (teardown! [db test node]
    "Stops the system on node and removes its data. Idempotent."))

(defprotocol Kill
  (start! [db test node] "Starts the system on node if it is not running. Returns :started or :already-running.")
  (kill! [db test node] "SIGKILLs the system on node and waits until it is gone. Returns :killed or :not-running."))

(defprotocol Pause
  (pause! [db test node] "SIGSTOPs the system on node. Returns :paused or :not-running.")
  (resume! [db test node] "SIGCONTs the system on node. Returns :resumed or :not-running."))

(defprotocol Primary
  (primaries [db test]
    "Returns the nodes that currently believe they are the leader (possibly empty, possibly more
    than one during a partition)."))

(defprotocol Transfer
  (transfer-leadership! [db test node]
    "Asks the current leader to hand leadership to node. Returns a short description of the
    outcome; throws when there is no leader to ask."))

(defprotocol Liveness
  (process-state [db test node]
    "Returns :serving (the node answers clients), :starting (its process runs but serves nobody
    yet: starting, replaying) or {:died log-tail} (no process runs: it exited, e.g. refused to
    start, or was never started)."))

(defprotocol LogFiles
  (log-files [db test node]
    "Returns a map of remote path on node to the file name to store it under in the run."))

(defn node-dir
  "Returns the directory that holds everything the system keeps on node: data, logs, pid files.
  Namespaces share one filesystem, so every node has its own directory under :base-dir."
  [test node]
  (str (:base-dir test (slot/default-base-dir)) "/" node))

(defn cycle!
  "Tears the DB down on every node, then sets it up on every node, in parallel. Returns nil."
  [test]
  (let [db (:db test)]
    (log/info! "Tearing down any earlier" (:db-name test "db") "on" (count (:nodes test)) "nodes")
    (util/on-nodes! test #(teardown! db %1 %2))
    (log/info! "Setting up" (:db-name test "db"))
    (util/on-nodes! test #(setup! db %1 %2))
    nil))
