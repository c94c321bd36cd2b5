(ns leasekv.harness.nemesis.node-counts
  "How many nodes each fault and each named schedule needs to act: the one place that says it
  (docs/harness.md, \"Faults and node counts\", explains the figures).

  An op acts when it changes something on the nodes: a partition cuts at least one link, a kill
  or pause hits at least one node, a transfer has another node to hand leadership to, a delay has
  another node's messages to hold. The general schedule (--nemesis) draws each fault's target at
  random, so on a small cluster it draws only among the targets that act there (`acting-targets`);
  a fault none of whose targets acts, and a named schedule (--schedule) whose steps do not all act,
  is refused before anything is set up (`check`). A kill of the only node acts: the general
  schedule restarts it (every :kill is followed by a :start), as do the named schedules that kill."
  (:require [clojure.string :as str]))

(def target-min-nodes
  "fault -> target -> the fewest nodes on which an op with that target acts. A target is what the
  general schedule draws for the fault (see `target-key` for maps)."
  {:partition {:random-halves 2       ; one node on each side of the cut
               :isolate-leader 2
               :one-way 2
               :leader-minority 2     ; the leader's side against the rest (L3 needs 5: see the doc)
               :bridge 3              ; two sides that cannot talk, and the bridge that hears both
               :majorities-ring 3}    ; on 2 nodes the only majority is both: nothing is cut
   :kill {:one 1 :leader 1 :majority 1 :all 1
          :minority 3}                ; the largest minority of 1 or 2 nodes is no node
   :pause {:one 1 :leader 1 :minority 3}
   :power-loss {:one 1 :leader 1 :majority 1 :all 1 :minority 3}
   :clock {:leader 1 :one 1 :all 1 :minority 3
           :followers-minority 3}     ; a minority without the leader
   :membership {:follower 2 :leader 2 :one 2} ; the store refuses to remove its last voter
   :delay {:leader 2 :one 2 :all 2}   ; what is held is the messages from the other nodes
   :stall-apply {:leader 1            ; the leader's own apply thread
                 :follower 2}         ; a follower (and, with :transfer?, leadership handed to it)
   :crash-at {:leader 1 :one 1
              :follower 2 :followers 2
              :uncut-followers 2      ; followers a followers-from-leader cut leaves to the leader
              :cut-followers 2}})     ; after a follower-from-leader cut (followers-from-leader cuts none of 1)

(def fault-min-nodes
  "Faults the general schedule gives no target: the fewest nodes on which they act."
  {:transfer 2}) ; leadership goes to another node

(def schedule-min-nodes
  "--schedule name -> the fewest nodes on which every step of its cycle acts."
  {"isolate-leader" 2
   "pause-leader" 2                     ; the paused leader is cut off from the others
   "isolate-leader-restart-followers" 2 ; at least one follower to kill
   "one-way-leader" 2
   "delayed-acks" 2
   "transfers" 2
   "transfers-slow-appends" 2
   "transfer-isolate" 2
   "transfer-delayed-leader" 2
   "membership" 3                       ; after a voter is removed, a transfer needs another voter
   "clock" 3                            ; its clock faults include a minority's clock
   "clock-beyond-bound" 2
   "clock-slow-leader" 2                ; the leader is cut off from the others
   "clock-wall" 2                       ; the followers' clocks step, the leader is cut off
   "composed-partitions" 5              ; two cut followers, and the leader keeps a quorum without them
   "composed-vote-race" 5               ; two cut followers campaign while the leader keeps a quorum
   "stall-apply-leader" 1
   "stall-apply-transfer" 2             ; a follower to stall and hand leadership to
   "retried-writes" 2                   ; acks from followers to hold
   "restart-followers-within-lease" 2   ; at least one follower to kill
   "leader-minority" 2                  ; the leader cut off (rule L3 shows only from 5 nodes)
   "clock-fast-leader" 2                ; the leader is cut off from the others
   "clock-step-pause-leader" 2          ; the paused leader is cut off from the others
   "retried-writes-power-loss" 2        ; acks from followers to hold
   "crash-before-sync" 2                ; a follower left to the leader to crash
   "crash-after-snapshot-reset" 2       ; a follower to cut off and crash
   "power-loss-all" 1
   "power-loss-all-fsm" 1
   "power-loss-all-wal" 1
   "power-loss-all-torn" 1
   "power-loss-all-prefix" 1
   "power-loss-mixed" 3})               ; power loss of a minority

(defn target-key
  "The key of target-min-nodes for a drawn target: the target itself, or for a map its :nodes
  (power loss) or :target (clock, delay)."
  [target]
  (if (map? target) (or (:nodes target) (:target target) :all) target))

(defn target-needs
  "The fewest nodes on which fault acts with target (1 when the table does not name it)."
  [fault target]
  (get-in target-min-nodes [fault (target-key target)] 1))

(defn acting-targets
  "Takes the node count and a map fault -> targets to draw from. Returns the map with only the
  targets that act on that many nodes (unchanged when node-count is nil)."
  [node-count targets]
  (if (nil? node-count)
    targets
    (into {} (for [[fault ts] targets]
               [fault (filterv #(<= (target-needs fault %) node-count) ts)]))))

(defn- nodes-text [n] (str n (if (= 1 n) " node" " nodes")))

(defn- fault-problem
  "Why fault cannot act on node-count nodes when drawing from targets, or nil when it can."
  [node-count fault targets]
  (if (seq targets)
    (when (not-any? #(<= (target-needs fault %) node-count) targets)
      (let [by-need (sort-by key (group-by #(target-needs fault %) (distinct (map target-key targets))))]
        (str (name fault) " cannot act on " (nodes-text node-count) ": "
             (str/join ", " (for [[n ts] by-need]
                                         (str (str/join ", " (map name ts)) " need at least " n))))))
    (let [n (fault-min-nodes fault 1)]
      (when (< node-count n)
        (str (name fault) " cannot act on " (nodes-text node-count) ": it needs at least " n)))))

(defn check
  "Takes the node count, and either a named schedule or the fault set with the targets each fault
  draws from. Returns nil when every fault (or every step of the schedule) can act on that many
  nodes, else one line saying what cannot and what it needs."
  [node-count {:keys [schedule faults targets]}]
  (if schedule
    (let [n (schedule-min-nodes schedule 1)]
      (when (< node-count n)
        (str "--schedule " schedule " needs at least " n " nodes; the test has " node-count)))
    (when-let [problems (seq (keep #(fault-problem node-count % (get targets %)) (sort faults)))]
      (str "--nemesis " (str/join "; " problems)))))
