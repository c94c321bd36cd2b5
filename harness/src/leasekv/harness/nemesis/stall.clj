(ns leasekv.harness.nemesis.stall
  "A stalled apply thread, through the store's test hook ADMIN STALL-APPLY (nodes started with
  --test-hooks): the node keeps voting, replicating and committing, but applies nothing for ms, so
  committed entries wait unapplied. Lease and ReadIndex reads that arrive meanwhile must wait for
  their fence (the commit index at arrival) to be applied; a store that skipped that wait would
  serve a read from a state machine that lacks writes acknowledged before the read began.

  On its current leader that cannot show (the leader acknowledges a write only once it applied
  it), so the fault can also hand leadership to the stalled node: a follower that is stalled, then
  made leader, holds commits acknowledged by the old leader that it has not applied, while its
  reads arrive.

  Ops: {:f :start-stall-apply :value {:target :leader|:follower|:one :ms n :transfer? bool}}
       {:f :stop-stall-apply}   ends every stall at once (ADMIN STALL-APPLY 0 on every node)
  Completions say which node was stalled, for how long, and how the transfer went."
  (:require [leasekv.harness.db :as db]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.admin :as admin]
            [leasekv.harness.util :as util]))

(def default-targets
  "Stalls the general schedule (--nemesis stall-apply) draws from."
  [{:target :leader :ms 1500}
   {:target :follower :ms 1500}
   {:target :follower :ms 2000 :transfer? true}])

(defn- pick [test target]
  (let [leaders (set (db/primaries (:db test) test))]
    (case target
      :follower (rand-nth (vec (or (seq (remove leaders (:nodes test))) (:nodes test))))
      (first (nemesis/select-nodes test target)))))

(defn start!
  "Stalls the apply thread of the node target names for ms; with :transfer? then hands leadership
  to it (ADMIN TRANSFER through the current leader). Returns a description."
  [test {:keys [target ms transfer?] :or {target :leader ms 1500}}]
  (let [node (pick test target)
        r (admin/try-command test node "STALL-APPLY" (long ms))]
    (cond-> {:node node :ms ms :reply (or (:ok r) (str "error: " (:error r)))}
      transfer? (assoc :transfer (try (db/transfer-leadership! (:db test) (admin/admin-test test) node)
                                      (catch Exception e (str "error: " (.getMessage e))))))))

(defn stop-all!
  "Ends every stall (ADMIN STALL-APPLY 0 on every node). Returns node -> reply."
  [test]
  (into (sorted-map)
        (util/on-nodes! test (fn [test node]
                               (let [{:keys [ok error]} (admin/try-command test node "STALL-APPLY" 0)]
                                 (or ok (str "error: " error)))))))

(defn describe [{:keys [target ms transfer?]}]
  (str (name (or target :leader)) " " ms "ms" (when transfer? " then leads")))
