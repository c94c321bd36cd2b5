(ns leasekv.harness.nemesis.full
  "The harness's complete nemesis: the combined one (partitions, kills, pauses, transfers; see
  leasekv.harness.nemesis) plus power loss, clocks, membership, packet delay and the steps of the
  lease-targeted schedules. Ops it adds (the completion's :value says what was done):
    {:f :power-loss :value {:nodes t :dirs :wal|:fsm|:both [:loss m :at-fsync? b :seed n]}}
                                                                   leasekv.harness.nemesis.power-loss
    {:f :clock :value {:action .. :target ..}}  {:f :clock-reset}  leasekv.harness.nemesis.clock
                            (rates and forward steps of the monotonic clock; wall-clock steps
                            either way)
    {:f :start-stall-apply :value {:target t :ms n :transfer? b}}  {:f :stop-stall-apply}
                                                                   leasekv.harness.nemesis.stall
    {:f :remove-voter :value :leader|:follower|:one}  {:f :add-voter}  ...nemesis.membership
    {:f :start-delay :value {:target :leader|:one|:all :ms D :lane L}}  {:f :stop-delay}  the
        messages the target receives from every other node are held D ms (leasekv.harness.delay);
        with :target :leader that is the acks a leader waits for; with :lane :replication only
        appends and their acks are held, heartbeats and votes pass
    {:f :pause-for :value {:target :leader :ms [lo hi] :isolate? b}}  SIGSTOP for exactly that
                            long, then SIGCONT (isolate?: cut off from the other nodes meanwhile)
    {:f :kill-followers}    SIGKILL every node but the one the last isolate-leader partition cut
                            off (or, without one, every node but the leader); {:f :start} restarts
    {:f :transfer-isolate}  ask the leader to hand over leadership and, while the transfer runs,
                            cut the old leader off (rule 7: its lease must already be gone)
    {:f :crash-at :value {:target t :point p :await-ms ms}}  the target halts the next time a
                            Ready reaches the point (ADMIN CRASH-AT); leasekv.harness.nemesis.crash-at.
                            {:f :start} first lets nodes still armed reach it (or kills them), then
                            restarts every node
    {:f :clock-states}      records every node's clock (no fault)
    {:f :digests}           after healing: every replica's state digest (leasekv.harness.checker.digest)
  pre-heal! kills the nodes still armed with a crash point (the hook cannot disarm; the heal
  restarts them); heal-extra! removes delays, resets clocks and adds removed voters back, after
  the combined heal."
  (:require [leasekv.harness.checker.digest :as digest]
            [leasekv.harness.control :as c]
            [leasekv.harness.db :as db]
            [leasekv.harness.delay :as delay]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.admin :as admin]
            [leasekv.harness.nemesis.clock :as clock]
            [leasekv.harness.nemesis.crash-at :as crash-at]
            [leasekv.harness.nemesis.membership :as membership]
            [leasekv.harness.nemesis.power-loss :as power-loss]
            [leasekv.harness.nemesis.stall :as stall]
            [leasekv.harness.net :as net]
            [leasekv.harness.util :as util]))

(defn- note! [state k text]
  (if text
    (swap! state assoc-in [:other k] text)
    (swap! state update :other dissoc k)))

(defn isolated-node
  "Returns the node a grudge cuts off alone (a one-node component), or nil."
  [grudge]
  (some #(when (= 1 (count %)) (first %)) (net/components grudge)))

(defn- leader [test]
  (first (shuffle (db/primaries (:db test) test))))

(defn- start-delay!
  "Holds the messages the target receives from every other node ms long (:target :all: every
  node's), on one peer lane only when :lane is given."
  [test state {:keys [target ms lane] :or {target :leader}}]
  (when-not (delay/enabled? test)
    (throw (ex-info "delay needs the delay proxies (the delay fault or a delay schedule)" {:type :bad-target})))
  (let [receivers (if (= :all target) (vec (:nodes test)) [(first (nemesis/select-nodes test target))])
        plan (into {} (for [r receivers] [r (zipmap (remove #{r} (:nodes test)) (repeat ms))]))]
    (delay/set-delays! test plan lane)
    (note! state :delay (str "to " (if (= :all target) "every node" (first receivers))
                             (when lane (str " (" (name lane) " lane)")) " +" ms "ms"))
    (cond-> {:receiver (if (= :all target) :all (first receivers))
             :from (if (= :all target) :all (vec (sort (keys (plan (first receivers))))))
             :ms ms}
      lane (assoc :lane lane))))

(defn- kill-followers! [test state]
  (let [spared (or (:isolated @state) (leader test))
        victims (vec (remove #{spared} (:nodes test)))]
    (swap! state update :killed (fnil into #{}) victims)
    {:spared spared
     :killed (into (sorted-map) (util/on-nodes! test victims (fn [test node] (db/kill! (:db test) test node))))}))

(defn pause-for!
  "SIGSTOPs the store on the target node (:leader by default), sleeps ms (a number, or [lo hi] to
  draw from) on the node itself, then SIGCONTs it: one shell command, so the pause lasts exactly
  that long however slow the harness is. With :isolate? the node is cut off from every other node
  (both ways; clients still reach it) 200 ms into the pause, so it wakes believing it leads and can
  neither hear the new leader nor reset the followers' election timers: only its own lease check
  (or check-quorum) stops it serving. The next :stop-partition heals it. Returns what was done."
  [test state {:keys [target ms isolate?] :or {target :leader}}]
  (let [node (first (nemesis/select-nodes test target))
        ms (if (sequential? ms) (let [[lo hi] ms] (+ lo (rand-int (max 1 (- hi lo))))) ms)
        pidfile (str (db/node-dir test node) "/store.pid")]
    (swap! state update :paused (fnil conj #{}) node)
    (try
      (let [pause (future (c/exec-result (:remote test) node
                                         (str "p=$(cat " (c/escape pidfile) ") && kill -STOP \"$p\" && sleep "
                                              (format "%.3f" (/ ms 1000.0)) "; kill -CONT \"$p\"")
                                         {:timeout-ms (+ ms 30000)}))
            grudge (when isolate?
                     (Thread/sleep (min 200 (quot ms 2)))
                     (let [g (net/isolate (:nodes test) node)]
                       (nemesis/add-partition! test state :isolated-during-pause g)
                       (swap! state assoc :isolated node)
                       g))
            {:keys [exit err]} @pause]
        (cond-> {:node node :paused-ms ms :result (if (zero? exit) :resumed (str "error: " err))}
          grudge (assoc :grudge grudge)))
      (finally (swap! state update :paused disj node)))))

(defn- transfer-isolate! [test state]
  (let [old (leader test)
        target (first (shuffle (remove #{old} (:nodes test))))]
    (if-not (and old target)
      {:skipped "no leader"}
      (let [transfer (future (try (db/transfer-leadership! (:db test) (admin/admin-test test) target)
                                  (catch Exception e (str "error: " (.getMessage e)))))
            ;; The TimeoutNow leaves within milliseconds; cut the old leader off while the target's
            ;; election runs, so that nothing but its own lease handling can stop it serving.
            wait-ms (rand-int 40)
            _ (Thread/sleep wait-ms)
            grudge (net/isolate (:nodes test) old)]
        (nemesis/add-partition! test state :transfer-isolate grudge)
        (swap! state assoc :isolated old)
        {:from old :to target :isolated-after-ms wait-ms :grudge grudge
         :transfer (deref transfer 10000 "still running after 10 s")}))))

(defrecord Full [combined state]
  nemesis/Nemesis
  (setup! [this test]
    (nemesis/setup! combined test)
    (delay/clear! test)
    this)
  (invoke! [_ test {:keys [f value] :as op}]
    (case f
      :power-loss (do (note! state :power-loss (power-loss/describe value))
                      (try (assoc op :value (power-loss/power-loss! test value))
                           (finally (note! state :power-loss nil))))
      :clock (let [r (clock/apply! test (cond-> value
                                           (= :cut-followers (:target value)) (assoc :nodes (nemesis/cut-followers state))))]
               (note! state :clock (clock/describe value))
               (assoc op :value r))
      :clock-reset (do (note! state :clock nil) (assoc op :value (clock/reset-all! test)))
      :clock-states (assoc op :value {:clocks (clock/clock-states test)})
      :remove-voter (let [r (membership/remove! test value)]
                      (when (:removed r) (note! state :membership (str "removed " (:removed r))))
                      (assoc op :value r))
      :add-voter (do (note! state :membership nil) (assoc op :value (membership/add-back! test)))
      :start-delay (assoc op :value (start-delay! test state value))
      :stop-delay (do (delay/clear! test) (note! state :delay nil) (assoc op :value :cleared))
      :kill-followers (assoc op :value (kill-followers! test state))
      :pause-for (assoc op :value (pause-for! test state value))
      :digests (assoc op :value (digest/collect! test 60000))
      :transfer-isolate (assoc op :value (transfer-isolate! test state))
      (:start-partition :heal-partition)
      (let [done (nemesis/invoke! combined test op)]
        (swap! state assoc :isolated (isolated-node (get-in done [:value :cut])))
        done)
      :stop-partition (do (swap! state dissoc :isolated) (nemesis/invoke! combined test op))
      :crash-at (let [r (crash-at/crash-at! test state value)]
                  (note! state :crash-at (when-not (:halted r) (crash-at/describe value)))
                  (assoc op :value r))
      :start (let [settled (crash-at/settle! test state crash-at/settle-ms)
                   done (nemesis/invoke! combined test op)]
               (note! state :crash-at nil)
               (cond-> done settled (assoc :crash-at settled)))
      :start-stall-apply (let [r (stall/start! test value)]
                           (note! state :stall-apply (str (:node r) " " (:ms r) "ms"))
                           (assoc op :value r))
      :stop-stall-apply (do (note! state :stall-apply nil) (assoc op :value (stall/stop-all! test)))
      :transfer-leadership (nemesis/invoke! combined (admin/admin-test test) op)
      (nemesis/invoke! combined test op)))
  (teardown! [_ test] (nemesis/teardown! combined test))

  nemesis/PreHeal
  (pre-heal! [_ test]
    ;; The hook cannot disarm a crash point: a node still armed is killed, and the heal restarts it.
    (when-let [settled (crash-at/settle! test state 0)]
      {:crash-at settled}))

  nemesis/ExtraHeal
  (heal-extra! [_ test]
    (let [faults (:faults test)
          step (fn [what f] (try (f) (catch Exception e
                                       (log/warn! "Heal of" what "failed:" (.getMessage e))
                                       {:error (.getMessage e)})))
          r (cond-> {}
              (delay/enabled? test) (assoc :delay (step "delay" #(do (delay/clear! test) :cleared)))
              (contains? faults :clock) (assoc :clock (step "clocks" #(clock/reset-all! test)))
              (contains? faults :stall-apply) (assoc :stall-apply (step "apply stalls" #(stall/stop-all! test)))
              (contains? faults :membership) (assoc :membership (step "membership" #(membership/restore! test 60000))))]
      (swap! state dissoc :other :isolated)
      r)))

(defn nemesis
  "Returns the full nemesis, with no fault active."
  []
  (let [state (atom {})]
    (->Full (nemesis/->Combined state) state)))

