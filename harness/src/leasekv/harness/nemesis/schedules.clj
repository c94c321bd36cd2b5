(ns leasekv.harness.nemesis.schedules
  "When faults happen. Two kinds of schedule:

  - `general`: the faults of --nemesis take turns (wait an interval, start one, wait, stop it),
    targets drawn at random; this extends leasekv.harness.nemesis/schedule with power-loss, clock,
    membership and delay.
  - named schedules (--schedule NAME) aimed at one way a lease read or a nosync recovery could go
    wrong, each a short cycle repeated until the time limit. A named schedule also says what the
    nodes need for it (:faults for --test-hooks, lazyfs directories, delay proxies, store options:
    :rho, :store-args).

  Timings assume the store's defaults: election timeout 1 s (randomized to 2 s), lease 810 ms,
  heartbeat 100 ms."
  (:require [clojure.string :as str]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.clock :as clock]
            [leasekv.harness.nemesis.crash-at :as crash-at]
            [leasekv.harness.nemesis.node-counts :as node-counts]
            [leasekv.harness.nemesis.power-loss :as power-loss]
            [leasekv.harness.nemesis.stall :as stall]))

;; ---------------------------------------------------------------------------------------------
;; The general schedule

(def membership-targets [:follower :leader :one])
(def delay-targets [{:target :leader :ms 300} {:target :leader :ms 800} {:target :one :ms 500}])

(defn default-targets
  "Targets to draw from for every fault, given the nodes' clock drift bound rho."
  [rho]
  (assoc nemesis/default-targets
         :power-loss power-loss/default-targets
         :clock (clock/within-bound-targets rho)
         :membership membership-targets
         :delay delay-targets
         :stall-apply stall/default-targets
         :crash-at crash-at/default-targets))

(defn fault-ops
  "Returns [start-op stop-op] for one occurrence of fault (stop-op nil for instant faults), its
  target drawn from targets."
  [fault targets]
  (let [t (when (seq targets) (rand-nth (vec targets)))
        op (fn [f & [v]] (cond-> {:type :info :f f} v (assoc :value v)))]
    (case fault
      :partition [(op :start-partition t) (op :stop-partition)]
      :kill [(op :kill t) (op :start)]
      :pause [(op :pause t) (op :resume)]
      :transfer [(op :transfer-leadership) nil]
      :power-loss [(op :power-loss (power-loss/with-seed t)) nil]
      :clock [(op :clock t) (op :clock-reset)]
      :membership [(op :remove-voter t) (op :add-voter)]
      :delay [(op :start-delay t) (op :stop-delay)]
      :stall-apply [(op :start-stall-apply t) (op :stop-stall-apply)]
      :crash-at [(op :crash-at t) (op :start)])))

(defn general
  "Takes a set of faults, an interval in seconds and a map fault -> targets. Returns an endless
  nemesis generator: wait, start a fault, wait, stop it; faults take turns in a freshly shuffled
  order each round. No faults: nil."
  [fault-set interval-secs targets]
  (when (seq fault-set)
    (let [fs (vec (sort fault-set))]
      (mapcat (fn [fault]
                (let [[start stop] (fault-ops fault (get targets fault))]
                  (if stop
                    [(gen/sleep interval-secs) start (gen/sleep interval-secs) stop]
                    [(gen/sleep interval-secs) start])))
              (apply concat (repeatedly #(shuffle fs)))))))

;; ---------------------------------------------------------------------------------------------
;; Named schedules

(defn- op [f & [v]] (cond-> {:type :info :f f} (some? v) (assoc :value v)))

(defn- cycle-of
  "An endless repetition of the steps returned by (steps-fn) (called anew each cycle, so random
  choices differ)."
  [steps-fn]
  (apply concat (repeatedly steps-fn)))

(defn- between [lo hi] (+ lo (rand (- hi lo))))

(defn composed-partition-steps
  "One cycle of the composed-partitions schedule: followers cut off from the leader (two of four,
  so the leader keeps a quorum), then, once they heard no leader for over an election timeout
  (they campaign and will vote), the leader isolated (one cycle in four: paused while isolated)
  before that heals; then the heals in a random order. Two campaigning followers give twice the
  chances that one asks for votes just when the others' refusal window would end."
  []
  (let [[start kind] (if (< (rand) 0.75)
                       [(op :start-partition :isolate-leader) :isolate-leader]
                       [(op :pause-for {:target :leader :ms [1400 1900] :isolate? true}) :isolated-during-pause])]
    (concat [(gen/sleep 1) (op :start-partition :followers-from-leader) (gen/sleep (between 1.2 1.8))
             start (gen/sleep 2)]
            (rand-nth [[(op :heal-partition kind) (gen/sleep 1) (op :stop-partition)]
                       [(op :heal-partition :followers-from-leader) (gen/sleep 1) (op :stop-partition)]
                       [(op :stop-partition)]]))))

(def named
  {"isolate-leader"
   {:doc "cut the leader off (clients still reach it) for 4 s, heal, repeat: reads keep going to it while the majority elects a new leader and writes"
    :faults #{:partition}
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 1.5 2.5)) (op :start-partition :isolate-leader)
                                          (gen/sleep 4) (op :stop-partition))))}

   "pause-leader"
   {:doc "SIGSTOP the leader for 1.4-1.9 s (longer than its lease and than an election timeout, so the majority elects a new leader and writes), cut it off from the other nodes during the pause, then SIGCONT: it wakes believing it leads and cannot hear otherwise, so only its lease check stops it serving the reads queued in its sockets and those that follow; heal after 2.5 s"
    :faults #{:pause :partition}
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 1.5 2.5))
                                          (op :pause-for {:target :leader :ms [1400 1900] :isolate? true})
                                          (gen/sleep 2.5) (op :stop-partition))))}

   "isolate-leader-restart-followers"
   {:doc "cut the leader off, kill -9 every other node and restart them at once: restarted nodes must not vote before an election timeout (rule 6) while the old leader's lease may still run"
    :faults #{:partition :kill}
    :generator (fn [_] (cycle-of #(vector (gen/sleep 2) (op :start-partition :isolate-leader)
                                          (gen/sleep (between 0.1 0.5)) (op :kill-followers) (op :start)
                                          (gen/sleep 4) (op :stop-partition))))}

   "restart-followers-within-lease"
   {:doc "rule L6 where a JVM restart can reach it: the nodes run with an 8 s election timeout (lease 6.5 s), the leader is cut off and every other node is killed and restarted at once (3-5 s on two cores, four JVMs starting together): the restarted nodes acknowledged the leader moments before and must wait an election timeout before they vote, or they elect a new leader, which takes writes, while the old one still serves lease reads. With the default 1 s timeout the lease (810 ms) ends before a restarted JVM can vote, so no schedule of default nodes reaches the rule. With a 5 s timeout (lease 4 s) the restart ate most of the lease, and the mode was caught in 7 of 10 runs"
    :faults #{:partition :kill}
    :store-args "--election-timeout-ms 8000"
    :generator (fn [_] (cycle-of #(vector (gen/sleep 2) (op :start-partition :isolate-leader)
                                          (gen/sleep 0.2) (op :kill-followers) (op :start)
                                          (gen/sleep 6) (op :stop-partition))))}

   "leader-minority"
   {:doc "cut the leader and one follower (with 5 nodes; the largest minority) off from the other three for 4 s: that follower keeps acknowledging the leader, one ack short of a quorum, while the majority elects a new leader and takes writes; the lease must run from the quorum's acks (rule L3), not from the freshest one. With 3 nodes this is isolate-leader"
    :faults #{:partition}
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 1.5 2.5)) (op :start-partition :leader-minority)
                                          (gen/sleep 4) (op :stop-partition))))}

   "one-way-leader"
   {:doc "the leader hears nobody while everyone hears it (it can send but not receive), 4 s, heal, repeat"
    :faults #{:partition}
    :generator (fn [_] (cycle-of #(vector (gen/sleep 2) (op :start-partition :one-way)
                                          (gen/sleep 4) (op :stop-partition))))}

   "delayed-acks"
   {:doc "hold every message to the leader (its followers' acks) 1 s in the delay proxy, then cut the leader off: acks that left before the cut arrive up to 1 s late; a lease counted from their receipt outlives the followers' vote refusal"
    :faults #{:partition :delay}
    :delay-proxy? true
    :generator (fn [_] (cycle-of #(vector (gen/sleep 1.5) (op :start-delay {:target :leader :ms 1000})
                                          (gen/sleep 2.5) (op :start-partition :isolate-leader)
                                          (gen/sleep 4) (op :stop-partition) (op :stop-delay))))}

   "transfers"
   {:doc "hand leadership to a random node every 0.5-1.5 s: right after each transfer the new leader has a lease before it has committed an entry of its own term"
    :faults #{:transfer}
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 0.5 1.5)) (op :transfer-leadership))))}

   "transfers-slow-appends"
   {:doc "hold every append and append ack 100 ms (the replication lane only; heartbeats and votes pass at once), and hand leadership to a random node every 0.5-1 s (every transfer opens the window once; with 1-2 s the mode was missed in 1 of 3 runs): after each transfer the new leader holds a lease from heartbeat acks some 200 ms before its own-term entry commits, and it does not yet know that the old leader's last write committed"
    :faults #{:transfer :delay}
    :delay-proxy? true
    :generator (fn [_] (cons (op :start-delay {:target :all :ms 100 :lane :replication})
                             (cycle-of #(vector (gen/sleep (between 0.5 1)) (op :transfer-leadership)))))}

   "transfer-isolate"
   {:doc "ask the leader to hand over leadership and cut it off while the transfer runs (rule 7: the lease is dropped before TimeoutNow), 3 s, heal; alternating with plain transfers"
    :faults #{:transfer :partition}
    :generator (fn [_] (cycle-of #(vector (gen/sleep 2) (op :transfer-isolate) (gen/sleep 3) (op :stop-partition)
                                          (gen/sleep 1) (op :transfer-leadership))))}

   "transfer-delayed-leader"
   {:doc "hold every message to the leader 400 ms (all lanes: its followers' acks, and soon the new leader's heartbeats) and at once hand leadership away: TimeoutNow leaves within that hold, the target wins and takes writes within tens of ms, and the old leader hears of the new term only 400 ms later; its lease must already be gone (rule L7: dropped before TimeoutNow), or it serves lease reads from it meanwhile. Unlike transfer-isolate, nothing depends on cutting the old leader off between TimeoutNow and the new leader's first message"
    :faults #{:transfer :delay}
    :delay-proxy? true
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 1.5 2.5)) (op :start-delay {:target :leader :ms 400})
                                          (op :transfer-leadership) (gen/sleep 1.5) (op :stop-delay) (gen/sleep 1))))}

   "membership"
   {:doc "remove a voter (a follower or the leader), partition or transfer while it is out, add it back"
    :faults #{:membership :partition :transfer}
    :generator (fn [_] (cycle-of #(vector (gen/sleep 2) (op :remove-voter (rand-nth [:follower :leader]))
                                          (gen/sleep 1) (op :start-partition (rand-nth [:isolate-leader :random-halves]))
                                          (gen/sleep 3) (op :stop-partition)
                                          (gen/sleep 1) (op :transfer-leadership)
                                          (gen/sleep 1) (op :add-voter))))}

   "clock"
   {:doc "skew, step or strobe the leader's or a minority's clock within the drift bound (nodes run with --clock-drift-bound 0.5), and cut the leader off while it lasts"
    :faults #{:clock :partition}
    :rho 0.5
    :generator (fn [_] (cycle-of #(vector (gen/sleep 1.5) (op :clock (rand-nth (clock/within-bound-targets 0.5)))
                                          (gen/sleep 1) (op :start-partition :isolate-leader)
                                          (gen/sleep 4) (op :stop-partition) (op :clock-reset))))}

   "clock-beyond-bound"
   {:doc "the leader's clock at a quarter of 1-rho (outside the assumption), then cut it off: a demonstration that the lease rests on the drift bound; expected invalid"
    :faults #{:clock :partition}
    :generator (fn [_] (cycle-of #(vector (gen/sleep 2) (op :clock (first (clock/beyond-bound-targets 0.1)))
                                          (gen/sleep 2) (op :start-partition :isolate-leader)
                                          (gen/sleep 5) (op :stop-partition) (op :clock-reset))))}

   "composed-partitions"
   {:doc "cut two followers and the leader L off from each other (L keeps a quorum); 1.2-1.8 s later (they heard no leader for over an election timeout: they campaign and will vote) isolate L from everyone, or (one cycle in four) SIGSTOP it isolated; heal in a random order: while L's lease may run, the cut followers ask for votes just as the others stop hearing L (run with a short --request-timeout-ms, e.g. 300, so writers find a new leader within the lease)"
    :faults #{:partition :pause}
    :generator (fn [_] (cycle-of composed-partition-steps))}

   "composed-vote-race"
   {:doc "hold every append and append ack (heartbeats pass) so that no follower gets ahead (the held ones arrive 8 s later, behind a newer term), cut two followers off from the leader L, and 0.6-0.8 s later (short of an election timeout: they have not campaigned yet) isolate L, stop holding and run the cut followers' clocks 4x: they are as up to date as the rest and ask for votes within 75-325 ms, just as the others stop hearing L; only the others' vote refusal (rule L5) keeps one from being elected, and taking writes through fresh connections, while L's lease runs (nodes keep the default drift bound 0.1; run with a short --request-timeout-ms, e.g. 300). The clocks speed up only at the isolation: a follower that won earlier, while L still reached the others, would depose L at once and could not commit behind the held appends"
    :faults #{:partition :delay :clock}
    :delay-proxy? true
    :rho 0.1
    :generator (fn [_] (cycle-of #(vector (gen/sleep 1) (op :start-delay {:target :all :ms 8000 :lane :replication})
                                          (gen/sleep 0.3) (op :start-partition :followers-from-leader)
                                          (gen/sleep (between 0.6 0.8)) (op :start-partition :isolate-leader)
                                          (op :stop-delay) (op :clock {:action :rate :target :cut-followers :rate 4.0})
                                          (gen/sleep 2.5) (op :stop-partition) (op :clock-reset))))}

   "clock-slow-leader"
   {:doc "the leader's clock at 1-rho, the slowest rate the drift bound allows (nodes run with --clock-drift-bound 0.5), and at once cut the leader off for 4 s: its lease, measured on the slow clock, must still end before the followers' vote refusal; heal, reset"
    :faults #{:clock :partition}
    :rho 0.5
    :generator (fn [_] (cycle-of #(vector (gen/sleep 1.5) (op :clock {:action :rate :target :leader :rate 0.5})
                                          (gen/sleep 0.2) (op :start-partition :isolate-leader)
                                          (gen/sleep 4) (op :stop-partition) (op :clock-reset))))}

   "clock-fast-leader"
   {:doc "the leader's clock at 2x for 2.5 s, then the leader cut off for 4 s (nodes keep the default drift bound 0.1): a fast leader clock only shortens its lease in real time, but a store that anchored the lease on its node clock and checked it on another (rule L10) would see the lease run 2.5 s longer; heal, reset. The 2x clock also runs the leader's ticks at 2x, so check-quorum deposes it within 0.5-1 s, before the others elect: that store is caught by clock-step-pause-leader, not here"
    :faults #{:clock :partition}
    :rho 0.1
    :generator (fn [_] (cycle-of #(vector (gen/sleep 1) (op :clock {:action :rate :target :leader :rate 2.0})
                                          (gen/sleep 2.5) (op :start-partition :isolate-leader)
                                          (gen/sleep 4) (op :stop-partition) (op :clock-reset))))}

   "clock-step-pause-leader"
   {:doc "step the leader's clock 3 s forward, then pause-leader (SIGSTOP 1.4-1.9 s, cut off 200 ms in, heal 2.5 s after it wakes): a forward step only ends the leader's lease early (and counts as at most three ticks), but a store that anchored the lease on its node clock and checked it on another (rule L10) holds it 3 s longer, so the woken leader serves lease reads while the new leader, elected during the pause, takes writes. The pause keeps the old leader from ticking: isolated but running, its check-quorum races the election (with a fast leader clock it always wins: clock-fast-leader never caught the mode)"
    :faults #{:clock :pause :partition}
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 1.5 2.5)) (op :clock {:action :step :target :leader :ms 3000})
                                          (gen/sleep 0.3) (op :pause-for {:target :leader :ms [1400 1900] :isolate? true})
                                          (gen/sleep 2.5) (op :stop-partition))))}

   "clock-wall"
   {:doc "step wall clocks, not the monotonic one: the leader back by 5-60 s and/or the followers forward, then cut the leader off for 4 s; a store that measured its lease or its election timers on wall time would keep the lease for the whole step or elect at once; the safe store reads no wall time"
    :faults #{:clock :partition}
    :generator (fn [_] (cycle-of #(concat [(gen/sleep 1.5)]
                                          (map (partial op :clock) (rand-nth clock/wall-step-targets))
                                          [(gen/sleep 0.3) (op :start-partition :isolate-leader)
                                           (gen/sleep 4) (op :stop-partition) (op :clock-reset)])))}

   "stall-apply-leader"
   {:doc "stall the leader's apply thread for 1-2 s every 3-4 s: it keeps committing, applies nothing, and the reads arriving meanwhile must wait for their fence"
    :faults #{:stall-apply}
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 1.5 2.5))
                                          (op :start-stall-apply {:target :leader :ms (+ 1000 (rand-int 1000))})
                                          (gen/sleep 2) (op :stop-stall-apply))))}

   "stall-apply-transfer"
   {:doc "stall a follower's apply thread for 2 s and at once hand it leadership: the new leader holds commits the old one acknowledged but has not applied them, while reads arrive; a lease read that skipped the apply wait would miss them"
    :faults #{:stall-apply :transfer}
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 1.5 2.5))
                                          (op :start-stall-apply {:target :follower :ms 2000 :transfer? true})
                                          (gen/sleep 2.5) (op :stop-stall-apply))))}

   "retried-writes"
   {:doc "hold the followers' append acks to the leader (replication lane) for the client request timeout + 1 s, for 2.5 s at a time, then let the cluster recover: each write begun meanwhile commits only after the client timed out and re-sent it with the same REQ id, so both proposals commit and only the state machine's de-duplication keeps the write single (use --workload set: a duplicate in its list is an error; results count :resends)"
    :faults #{:delay}
    :delay-proxy? true
    :generator (fn [opts]
                 (let [hold-ms (+ 1000 (long (:request-timeout-ms opts 2000)))]
                   (cycle-of #(vector (gen/sleep 1.5) (op :start-delay {:target :leader :ms hold-ms :lane :replication})
                                      (gen/sleep 2.5) (op :stop-delay) (gen/sleep (+ 4 (/ hold-ms 1000.0)))))))}

   "retried-writes-power-loss"
   {:doc "retried-writes, and while the held first attempts commit (their re-sends already in the log), a power loss of every node's state machine directory that tears its last unsynced write: the state machine keeps every batch but its last, so a de-dup record written apart from its data (rule D2) is lost while the data stays, and the re-sent write applies again on replay (use --workload set)"
    :faults #{:delay :power-loss}
    :delay-proxy? true
    :lazyfs-dirs [:wal :fsm]
    :generator (fn [opts]
                 (let [hold-ms (+ 1000 (long (:request-timeout-ms opts 2000)))]
                   (cycle-of #(vector (gen/sleep 1.5) (op :start-delay {:target :leader :ms hold-ms :lane :replication})
                                      (gen/sleep (+ 1.0 (/ hold-ms 1000.0)))
                                      (op :power-loss (power-loss/with-seed {:nodes :all :dirs :fsm :loss :tear}))
                                      (op :stop-delay) (gen/sleep 4)))))}

   "crash-before-sync"
   {:doc "cut the leader off from the largest minority of followers (2 of 4), so the others alone make its quorum, and crash those others right before their next log sync (ADMIN CRASH-AT before-log-sync): an entry they acknowledged before syncing (rule D3) commits and is acknowledged, then vanishes with their crash; then the leader is cut off, the crashed nodes restart, and the four elect a leader without it (use --workload crash: the acknowledged element is lost)"
    :faults #{:partition :crash-at}
    :generator (fn [_] (cycle-of #(vector (gen/sleep 2) (op :start-partition :followers-from-leader)
                                          (op :crash-at {:target :uncut-followers :point :before-log-sync :await-ms 2000})
                                          (op :start-partition :isolate-leader) (op :start)
                                          (gen/sleep 5) (op :stop-partition))))}

   "crash-after-snapshot-reset"
   {:doc "cut a follower from the leader while the leader compacts its log (the crash workload snapshots every 20 entries and keeps none), arm ADMIN CRASH-AT after-snapshot-reset on it and heal: it needs a snapshot, installs it and halts right after resetting its log to it; its state machine must already hold the snapshot (rule D6), or it cannot restart (use --workload crash)"
    :faults #{:partition :crash-at}
    :generator (fn [_] (cycle-of #(vector (gen/sleep 2) (op :start-partition :follower-from-leader) (gen/sleep 2.5)
                                          (op :crash-at {:target :cut-followers :point :after-snapshot-reset :await-ms 0})
                                          (op :heal-partition :follower-from-leader) (gen/sleep 1) (op :start)
                                          (gen/sleep 1) (op :stop-partition))))}

   "power-loss-all"
   {:doc "power loss of every node at once on both directories, every 4-8 s (the WAL and RocksDB on lazyfs)"
    :faults #{:power-loss}
    :lazyfs-dirs [:wal :fsm]
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 4 8)) (op :power-loss {:nodes :all :dirs :both}))))}

   "power-loss-all-fsm"
   {:doc "power loss of every node at once on the state-machine directory only, every 4-8 s"
    :faults #{:power-loss}
    :lazyfs-dirs [:wal :fsm]
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 4 8)) (op :power-loss {:nodes :all :dirs :fsm}))))}

   "power-loss-all-wal"
   {:doc "power loss of every node at once on the WAL directory only, every 4-8 s"
    :faults #{:power-loss}
    :lazyfs-dirs [:wal :fsm]
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 4 8)) (op :power-loss {:nodes :all :dirs :wal}))))}

   "power-loss-all-torn"
   {:doc "power loss of every node in the middle of its next WAL fsync: the batch being synced is torn at a 512-byte sector boundary (lazyfs lose-at-next-fsync tear), RocksDB keeps all but its last unsynced write, that one torn; WAL recovery must truncate the torn tail (results count :torn-tail-recoveries)"
    :faults #{:power-loss}
    :lazyfs-dirs [:wal :fsm]
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 4 8))
                                          (op :power-loss (power-loss/with-seed {:nodes :all :dirs :both :loss :tear :at-fsync? true})))))}

   "power-loss-all-prefix"
   {:doc "power loss of every node that keeps a random prefix of each file's unsynced writes, the next one possibly torn (a disk that flushed part of its cache in order); the WAL's loss strikes at its next fsync"
    :faults #{:power-loss}
    :lazyfs-dirs [:wal :fsm]
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 4 8))
                                          (op :power-loss (power-loss/with-seed {:nodes :all :dirs :both :loss :keep-prefix :at-fsync? true})))))}

   "power-loss-mixed"
   {:doc "power losses of one node, a minority or all nodes, on either directory or both, mixed with kills and partitions"
    :faults #{:power-loss :partition :kill}
    :lazyfs-dirs [:wal :fsm]
    :generator (fn [_] (cycle-of #(vector (gen/sleep (between 3 6)) (op :power-loss (rand-nth power-loss/default-targets))
                                          (gen/sleep 2) (op :start-partition :random-halves)
                                          (gen/sleep 2) (op :stop-partition))))}})

(defn names [] (sort (keys named)))

(defn schedule
  "Returns the named schedule's spec, or throws ex-info naming the known ones."
  [schedule-name]
  (or (get named schedule-name)
      (throw (ex-info (str "Unknown schedule `" schedule-name "`; known: " (str/join ", " (names)))
                      {:type :bad-option :option "--schedule" :value schedule-name}))))

;; ---------------------------------------------------------------------------------------------
;; What a test needs for its faults

(defn merge-store-args
  "Takes store argument strings, later ones winning: an option given twice keeps its last value
  (the store refuses an option given twice). Returns one string, or nil when empty."
  [& parts]
  (let [tokens (mapcat #(remove str/blank? (str/split (str %) #"\s+")) parts)
        pairs (loop [ts tokens out []]
                (if-let [[t & more] (seq ts)]
                  (if (and (str/starts-with? t "--") (not (str/includes? t "="))
                           (seq more) (not (str/starts-with? (first more) "--")))
                    (recur (rest more) (conj out [t (first more)]))
                    (let [[k v] (str/split t #"=" 2)] (recur more (conj out [k v]))))
                  out))
        merged (into {} pairs)]
    (when (seq pairs)
      (str/join " " (for [k (distinct (map first pairs))
                          :let [v (get merged k)]]
                      (if v (str k " " v) k))))))

(defn settings
  "Takes the parsed options (:nemesis, :nemesis-interval, :partitions-targets, :schedule,
  :clock-drift-bound, :store-args, and :node-count, the number of nodes) and the workload map
  (which may carry :store-args). Throws ex-info {:type :bad-option} when a fault or the schedule
  cannot act on :node-count nodes (leasekv.harness.nemesis.node-counts); the general schedule
  draws only targets that act on them. Returns what the test map needs for its faults:
    :faults            the fault set (a named schedule's own, or --nemesis's)
    :nemesis-generator the schedule
    :lazyfs-dirs       directories to put under lazyfs (both, when power loss can happen)
    :delay-proxy?      whether nodes run behind delay proxies
    :store-args        --store-args plus the workload's and the schedule's (its own, and the drift
                       bound)"
  [opts workload partition-targets]
  (let [spec (some-> (:schedule opts) schedule)
        faults (if spec (:faults spec) (nemesis/parse-faults (:nemesis opts)))
        rho (or (:clock-drift-bound opts) (:rho spec) (when (contains? faults :clock) 0.5))
        targets (assoc (default-targets (or rho 0.1)) :partition partition-targets)
        _ (when-let [problem (some-> (:node-count opts)
                                     (node-counts/check {:schedule (:schedule opts) :faults faults :targets targets}))]
            (throw (ex-info problem {:type :bad-option})))
        generator (if spec
                    ((:generator spec) opts)
                    (general faults (:nemesis-interval opts 10.0)
                             (node-counts/acting-targets (:node-count opts) targets)))]
    {:faults faults
     :nemesis-generator generator
     :lazyfs-dirs (or (:lazyfs-dirs spec) (when (contains? faults :power-loss) [:wal :fsm]))
     :delay-proxy? (boolean (or (:delay-proxy? spec) (contains? faults :delay)))
     :store-args (merge-store-args (:store-args workload) (:store-args spec) (when rho (str "--clock-drift-bound " rho))
                                   (:store-args opts))}))
