(ns leasekv.harness.nemesis.schedules
  "When faults happen. Two kinds of schedule:

  - `general`: the faults of --nemesis take turns (wait an interval, start one, wait, stop it),
    targets drawn at random; this extends leasekv.harness.nemesis/schedule with power-loss, clock,
    membership and delay.
  - named schedules (--schedule NAME) aimed at one way a lease read or a nosync recovery could go
    wrong, each a short cycle repeated until the time limit. A named schedule also says what the
    nodes need for it (:faults for --test-hooks, lazyfs directories, delay proxies, store options).

  Timings assume the store's defaults: election timeout 1 s (randomized to 2 s), lease 810 ms,
  heartbeat 100 ms."
  (:require [clojure.string :as str]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.clock :as clock]
            [leasekv.harness.nemesis.node-counts :as node-counts]
            [leasekv.harness.nemesis.power-loss :as power-loss]))

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
         :delay delay-targets))

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
      :power-loss [(op :power-loss t) nil]
      :clock [(op :clock t) (op :clock-reset)]
      :membership [(op :remove-voter t) (op :add-voter)]
      :delay [(op :start-delay t) (op :stop-delay)])))

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
   {:doc "hold every append and append ack 100 ms (the replication lane only; heartbeats and votes pass at once), and hand leadership to a random node every 1-2 s: after each transfer the new leader holds a lease from heartbeat acks some 200 ms before its own-term entry commits, and it does not yet know that the old leader's last write committed"
    :faults #{:transfer :delay}
    :delay-proxy? true
    :generator (fn [_] (cons (op :start-delay {:target :all :ms 100 :lane :replication})
                             (cycle-of #(vector (gen/sleep (between 1 2)) (op :transfer-leadership)))))}

   "transfer-isolate"
   {:doc "ask the leader to hand over leadership and cut it off while the transfer runs (rule 7: the lease is dropped before TimeoutNow), 3 s, heal; alternating with plain transfers"
    :faults #{:transfer :partition}
    :generator (fn [_] (cycle-of #(vector (gen/sleep 2) (op :transfer-isolate) (gen/sleep 3) (op :stop-partition)
                                          (gen/sleep 1) (op :transfer-leadership))))}

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
    :store-args        --store-args plus the workload's and the schedule's (drift bound)"
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
     :store-args (merge-store-args (:store-args workload) (when rho (str "--clock-drift-bound " rho)) (:store-args opts))}))
