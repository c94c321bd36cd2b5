(ns leasekv.harness.nemesis.crash-at
  "A crash at a chosen point of a node's persistence, through the store's test hook ADMIN CRASH-AT
  (nodes started with --test-hooks; docs/contracts.md): the node halts (exit 137, as after kill -9)
  the next time a Ready reaches the point. The points are the simulation's crash points, which a
  random kill almost never lands in:
    before-log-sync       the Ready's entries and votes are written to the WAL only in the sync, so
                          they are lost; whatever left the node before the sync left for good
                          (rule D3: nothing that relies on them may have left);
    after-log-sync        everything of the Ready is durable, nothing after it was sent;
    before-snapshot-reset a follower installing a snapshot halts before resetting its log;
    after-snapshot-reset  ... right after resetting its log (rule D6: its state machine must
                          already hold the snapshot).

  Op: {:f :crash-at :value {:target t :point p :await-ms ms}}. Targets: :leader, :follower (one
  random follower), :one, :followers (every follower), :cut-followers (those the newest
  follower(s)-from-leader partition in force cut from their leader) and :uncut-followers (the
  leader's other followers: with :followers-from-leader those alone make its quorum). With
  :await-ms > 0 the op waits that long for every armed node to halt and kill -9s the ones that did
  not reach the point (so that none stays armed); with 0 it only arms them, and the next :start
  (or the final heal) gives them up to settle-ms more before killing them. The completion:
  {:point p :nodes [..] :armed {node reply} :halted {node :at-point|:killed}} (no :halted when
  only armed). A halted node stays down until a :start or the final heal restarts it."
  (:require [clojure.string :as str]
            [leasekv.harness.db :as db]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.admin :as admin]
            [leasekv.harness.util :as util]))

(def points #{:before-log-sync :after-log-sync :before-snapshot-reset :after-snapshot-reset})

(def default-targets
  "Crash points the general schedule (--nemesis crash-at) draws from; each is followed by a :start."
  [{:target :follower :point :before-log-sync}
   {:target :follower :point :after-log-sync}
   {:target :leader :point :before-log-sync}
   {:target :leader :point :after-log-sync}])

(def settle-ms
  "How long a node armed by an op that did not wait gets to reach its point, once a restart comes."
  5000)

(defn- leader-and-followers [test]
  (let [leader (first (nemesis/select-nodes test :leader))]
    [leader (vec (remove #{leader} (:nodes test)))]))

(defn targets-now
  "Resolves a crash-at target to nodes (see the namespace doc); state is the nemesis state atom."
  [test state target]
  (case target
    :follower (let [[_ fs] (leader-and-followers test)] (if (seq fs) [(rand-nth fs)] []))
    :followers (second (leader-and-followers test))
    :cut-followers (nemesis/cut-followers state)
    :uncut-followers (nemesis/uncut-followers state (:nodes test))
    (nemesis/select-nodes test target)))

(defn- down? [test node]
  (map? (db/process-state (:db test) test node)))

(defn- await-halt!
  "Waits up to ms for node to halt; kill -9s it if it did not. Returns :at-point or :killed."
  [test node ms]
  (let [deadline (+ (System/nanoTime) (* 1000000 (long ms)))]
    (loop []
      (cond (down? test node) :at-point
            (> (System/nanoTime) deadline) (do (db/kill! (:db test) test node) :killed)
            :else (do (Thread/sleep 20) (recur))))))

(defn settle!
  "Waits (up to ms) for every node armed and not yet settled to halt, and kills those that did
  not. Forgets them. Returns {node :at-point|:killed}, or nil when none was armed."
  [test state ms]
  (let [armed (:armed @state)]
    (swap! state dissoc :armed)
    (when (seq armed)
      (swap! state update :killed (fnil into #{}) (keys armed))
      (into (sorted-map) (util/on-nodes! test (vec (keys armed)) (fn [test node] (await-halt! test node ms)))))))

(defn crash-at!
  "Arms the crash point on the target's nodes and, with :await-ms, waits for them to halt (see the
  namespace doc). Returns the completion's value."
  [test state {:keys [target point await-ms] :or {await-ms 3000}}]
  (when-not (points point)
    (throw (ex-info (str "Unknown crash point " point "; known: " (str/join ", " (map name (sort points))))
                    {:type :bad-target})))
  (let [nodes (vec (targets-now test state target))
        armed (into (sorted-map)
                    (util/on-nodes! test nodes (fn [test node]
                                                 (let [{:keys [ok error]} (admin/try-command test node "CRASH-AT" (name point))]
                                                   (or ok (str "error: " error))))))]
    (swap! state update :armed merge (into {} (for [[n r] armed :when (= "OK" r)] [n point])))
    (cond-> {:point point :target target :nodes nodes :armed armed}
      (pos? await-ms) (assoc :halted (settle! test state await-ms)))))

(defn describe [{:keys [target point]}]
  (str (name target) " at " (name point)))
