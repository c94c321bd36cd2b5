(ns leasekv.harness.nemesis.membership
  "Membership changes as a fault: remove one voter (ADMIN REMOVE-VOTER on the leader), later add
  every removed node back (ADMIN ADD-VOTER). The removed node keeps running, so clients still ask
  it; it must answer NOTLEADER and never serve a stale read. At most one voter is out at a time
  (a 5-node cluster keeps 4 voters, so partitions still leave a majority somewhere).

  Ops: {:f :remove-voter :value :leader|:follower|:one} and {:f :add-voter} (every node that is
  not a voter, as seen by the leader). Completions say who was removed or added, through which
  leader, what it answered, and the voters afterwards."
  (:require [leasekv.harness.db :as db]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis.admin :as admin]))

(defn- leader [test]
  (first (shuffle (db/primaries (:db test) test))))

(defn members
  "Returns the voters as the leader sees them (a sorted vector), or nil when there is no leader."
  [test]
  (when-let [l (leader test)]
    (let [{:keys [ok]} (admin/try-command test l "MEMBERS")]
      (when (sequential? ok) (vec (sort ok))))))

(defn- pick-victim [test target l voters]
  (let [voters (set voters)]
    (case target
      :leader l
      :follower (first (shuffle (remove #{l} voters)))
      :one (first (shuffle voters))
      (throw (ex-info (str "Unknown membership target " target) {:type :bad-target :target target})))))

(defn remove!
  "Removes one voter chosen by target, unless one is already out. Returns a description."
  [test target]
  (let [l (leader test)
        voters (when l (members test))]
    (cond
      (nil? l) {:skipped "no leader"}
      (nil? voters) {:skipped (str "leader " l " did not list its members")}
      (< (count voters) (count (:nodes test))) {:skipped (str "a voter is already out; voters " voters)}
      :else (let [victim (pick-victim test target l voters)
                  r (admin/try-command test l "REMOVE-VOTER" victim)]
              {:removed victim :via l :reply (or (:ok r) (str "error: " (:error r)))
               :voters (members test)}))))

(defn add-back!
  "Adds every node of the test that is not a voter back (one change at a time, as the store
  requires). Returns a description."
  [test]
  (let [l (leader test)
        voters (when l (members test))]
    (if (nil? voters)
      {:skipped "no leader or no member list"}
      (let [missing (remove (set voters) (:nodes test))]
        {:added (into (sorted-map)
                      (for [n missing]
                        (let [r (admin/try-command test l "ADD-VOTER" n)]
                          [n (or (:ok r) (str "error: " (:error r)))])))
         :via l
         :voters (members test)}))))

(defn restore!
  "Heal: keeps adding missing voters back until every node is a voter, for up to timeout-ms
  (leaders come and go while the cluster recovers). Returns the final voters, or a description of
  what is still missing."
  [test timeout-ms]
  (let [deadline (+ (System/nanoTime) (* 1000000 (long timeout-ms)))
        all (vec (sort (:nodes test)))]
    (loop [attempts 0]
      (let [voters (members test)]
        (cond
          (= voters all) {:voters voters :attempts attempts}
          (> (System/nanoTime) deadline)
          (do (log/warn! "Membership not restored: voters" (pr-str voters))
              {:voters voters :missing (vec (remove (set voters) all)) :attempts attempts})
          :else (do (when voters (add-back! test))
                    (Thread/sleep 500)
                    (recur (inc attempts))))))))
