(ns leasekv.harness.checker.digest
  "Cross-replica comparison at the end of a run. After every fault is healed and the final reads
  are done, the harness asks every node for ADMIN DIGEST ([applied-index, SHA-256 of the state
  machine: data, de-dup table, applied index, membership]) until all nodes report the same applied
  index twice in a row (quiescence; a node whose process is gone, one that could not restart, is
  left out), and records what it saw as a nemesis op {:f :digests}. The
  checker then demands one digest: replicas that applied the same log must hold the same state. A
  mismatch at an equal applied index, seen at any poll, is invalid; replicas that never converged
  make the check :unknown."
  (:require [clojure.string :as str]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.db :as db]
            [leasekv.harness.nemesis.admin :as admin]
            [leasekv.harness.util :as util]))

(defn- down?
  "True when node's process is not running (it could not restart): waiting for its digest is in vain."
  [test node]
  (and (satisfies? db/Liveness (:db test)) (map? (db/process-state (:db test) test node))))

(defn- poll [test]
  (into (sorted-map)
        (util/on-nodes! test (fn [test node]
                               (let [{:keys [ok error]} (admin/try-command test node "DIGEST")]
                                 (cond
                                   (and (sequential? ok) (= 2 (count ok))) {:applied-index (first ok) :digest (second ok)}
                                   (down? test node) {:error error :down? true}
                                   :else {:error error}))))))

(defn mismatches
  "Takes one poll (node -> {:applied-index :digest}). Returns the applied indexes at which nodes
  disagree, as {index {digest [nodes]}}."
  [snapshot]
  (->> snapshot
       (filter (comp :digest val))
       (group-by (comp :applied-index val))
       (keep (fn [[idx entries]]
               (let [by-digest (group-by (comp :digest val) entries)]
                 (when (> (count by-digest) 1)
                   [idx (into (sorted-map) (for [[d es] by-digest] [d (vec (sort (map key es)))]))]))))
       (into (sorted-map))))

(defn- converged?
  "Every running node answered, at one applied index (a node whose process is gone is left out:
  the restarts checker reports it)."
  [snapshot]
  (let [up (remove :down? (vals snapshot))]
    (and (seq up) (every? :digest up) (= 1 (count (distinct (map :applied-index up)))))))

(defn collect!
  "Polls every node's digest every 500 ms until two polls in a row show every node at one
  applied index, or timeout-ms passes. Returns {:converged? bool :polls n :digests last-poll
  :mismatches {...}} (mismatches from every poll, merged)."
  [test timeout-ms]
  (let [deadline (+ (System/nanoTime) (* 1000000 (long timeout-ms)))]
    (loop [polls 1 prev nil seen {}]
      (let [snap (poll test)
            seen (merge seen (mismatches snap))
            stable? (and (converged? snap) prev (converged? prev)
                         (= (:applied-index (first (filter :digest (vals snap))))
                            (:applied-index (first (filter :digest (vals prev))))))]
        (if (or stable? (> (System/nanoTime) deadline))
          {:converged? (boolean stable?) :polls polls :digests snap :mismatches seen}
          (do (Thread/sleep 500) (recur (inc polls) snap seen)))))))

(defn final-op
  "The generator op that collects the digests at the end of a run (on the nemesis thread)."
  []
  {:type :info :process :nemesis :f :digests})

(defn checker
  "Checks the history's last {:f :digests} op (see the namespace doc). Without one (a DB that
  has no digests), valid with :skipped."
  []
  (reify checker/Checker
    (check [_ _ history _]
      (let [op (last (filter #(and (= :digests (:f %)) (= :nemesis (:process %)) (map? (:value %))) history))
            {:keys [converged? digests mismatches polls]} (:value op)]
        (cond
          (nil? op) {:valid? true :skipped "no digests were collected"}
          (seq mismatches) {:valid? false :mismatches mismatches :digests digests
                            :explanation (str "replicas at the same applied index hold different state: "
                                              (pr-str mismatches))}
          (not converged?) {:valid? :unknown :digests digests :polls polls
                            :explanation "the replicas never reached one applied index after healing"}
          (some :down? (vals digests))
          {:valid? :unknown :digests digests
           :explanation (str "no digest from " (str/join ", " (sort (for [[n d] digests :when (:down? d)] n)))
                             " (not running: see :restarts); the others agree")}
          :else {:valid? true :applied-index (:applied-index (first (vals digests)))
                 :digest (:digest (first (vals digests))) :nodes (count digests)})))))
