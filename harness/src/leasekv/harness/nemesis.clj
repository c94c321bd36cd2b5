(ns leasekv.harness.nemesis
  "Faults. A Nemesis is a client of the cluster itself: the interpreter hands it ops from the
  nemesis thread and records them in the history with :process :nemesis.

  The combined nemesis here understands these ops (:value is the target, the completion's
  :value says what was done):
    {:f :start-partition :value :random-halves|:isolate-leader|:majorities-ring|:bridge|:one-way
                                |:follower-from-leader|:followers-from-leader|:leader-minority}
                        partitions compose: a partition started while others are in force adds
                        its links to theirs (grudges merged); the completion's value is
                        {:kind k :grudge links-of-this-partition :cut every-link-cut-now}
    {:f :heal-partition :value kind}  heals the partitions of that kind only (links another
                        partition in force also cuts stay cut); value {:healed kind :links [..] :cut ..}
    {:f :stop-partition}  heals every partition
    {:f :kill  :value :one|:minority|:majority|:all|:leader}   {:f :start}  restarts every node
                        that is down and waits until each serves or dies (leasekv; a node that
                        cannot restart is named in the completion's :failed-starts)
    {:f :pause :value :one|:minority|:leader}                  {:f :resume} resumes every node
    {:f :transfer-leadership}   hands leadership from the leader to a random other node
  `heal!` undoes every fault at once; the harness calls it after every run, whatever happened."
  (:require [clojure.string :as str]
            [leasekv.harness.db :as db]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis.restarts :as restarts]
            [leasekv.harness.net :as net]
            [leasekv.harness.util :as util]))

(defprotocol Nemesis
  (setup! [nemesis test] "Prepares the nemesis (clearing leftover faults). Returns the nemesis.")
  (invoke! [nemesis test op] "Applies op; returns the completed op.")
  (teardown! [nemesis test] "Releases what setup! took. Returns nil."))

(defprotocol ExtraHeal
  (heal-extra! [nemesis test]
    "Undoes the faults a nemesis adds beyond partitions, kills and pauses (clocks, delays,
    membership, ...). Called by heal! after those are undone. Returns a map describing it."))

(defprotocol PreHeal
  (pre-heal! [nemesis test]
    "Settles what must be settled before heal! restarts nodes (crash points still armed). Called
    first by heal!. Returns a map describing it, or nil."))

(def partition-targets [:random-halves :isolate-leader :majorities-ring :bridge :one-way])

(def composable-partition-targets
  "Partition kinds beyond partition-targets, meant for composed schedules: :follower-from-leader
  cuts one random follower and the leader off from each other (both ways) and nothing else;
  :followers-from-leader does that to the largest minority of followers that leaves the leader a
  quorum (2 of 4 followers with 5 nodes); :leader-minority cuts the leader, together with as
  many followers as make up the largest minority, off from the rest (with 5 nodes the leader and
  one follower, which still acknowledges it, against three: rule L3's window; with 3 nodes the
  leader alone)."
  [:follower-from-leader :followers-from-leader :leader-minority])
(def kill-targets [:one :minority :majority :all :leader])
(def pause-targets [:one :minority :leader])

(defn- leader-or-random [test]
  (let [ps (when (satisfies? db/Primary (:db test)) (db/primaries (:db test) test))]
    (if (seq ps) (rand-nth ps) (rand-nth (vec (:nodes test))))))

(defn select-nodes
  "Takes a test and a target (:one, :minority, :majority, :all, :leader). Returns the nodes it
  names now: :minority is the largest minority, :majority the smallest majority, :leader a node
  that believes it leads (a random node when none does)."
  [test target]
  (let [nodes (vec (:nodes test)) n (count nodes)]
    (case target
      :one [(rand-nth nodes)]
      :minority (vec (take (quot (dec n) 2) (shuffle nodes)))
      :majority (vec (take (util/majority n) (shuffle nodes)))
      :all nodes
      :leader [(leader-or-random test)]
      (throw (ex-info (str "Unknown target " target) {:type :bad-target :target target})))))

(defn grudge-for
  "Takes a test and a partition kind. Returns the grudge it names now."
  [test kind]
  (let [nodes (vec (:nodes test))]
    (case kind
      :follower-from-leader (let [l (leader-or-random test)]
                              (with-meta (net/cut-pair l (rand-nth (vec (remove #{l} nodes)))) {:leader l}))
      :followers-from-leader (let [l (leader-or-random test)]
                               (with-meta (net/cut-from l (take (quot (dec (count nodes)) 2) (shuffle (remove #{l} nodes))))
                                 {:leader l}))
      :leader-minority (let [l (leader-or-random test)
                             side (cons l (take (dec (quot (dec (count nodes)) 2)) (shuffle (remove #{l} nodes))))]
                         (net/complete-grudge [side (remove (set side) nodes)]))
      :random-halves (net/random-halves nodes)
      :isolate-leader (net/isolate nodes (leader-or-random test))
      :majorities-ring (net/majorities-ring nodes)
      :bridge (net/bridge nodes)
      :one-way (net/one-way nodes (leader-or-random test))
      (throw (ex-info (str "Unknown partition " kind) {:type :bad-target :target kind})))))

(defn- on-targets! [test nodes f]
  (into (sorted-map) (util/on-nodes! test nodes (fn [test node] (f (:db test) test node)))))

(defn current-cut
  "Returns the grudge of every partition in force (merged), from the nemesis state atom."
  [state]
  (apply net/merge-grudges (map :grudge (:partitions @state))))

(defn- describe-cut [s]
  (let [cut (apply net/merge-grudges (map :grudge (:partitions s)))]
    (if (seq cut)
      (assoc s :partition (str (str/join "+" (map (comp name :kind) (:partitions s))) ": " (net/describe cut)))
      (dissoc s :partition :partitions))))

(defn add-partition!
  "Cuts the links of grudge that are not cut yet and records it in the nemesis state as a partition
  of kind, composed with those in force. Returns {:kind :grudge :cut}, :cut being every link cut now
  (and :leader, for the kinds that cut followers off from the leader)."
  [test state kind grudge]
  (let [leader (:leader (meta grudge))
        record (cond-> {:kind kind :grudge grudge} leader (assoc :leader leader))]
    (net/partition! test (net/grudge-minus grudge (current-cut state)))
    (swap! state #(describe-cut (update % :partitions (fnil conj []) record)))
    (assoc record :cut (current-cut state))))

(defn cut-followers
  "Returns the followers that the newest follower(s)-from-leader partition in force cut off from
  their leader (sorted), or [] when none is in force."
  [state]
  (let [p (last (filter :leader (:partitions @state)))]
    (vec (sort (get (:grudge p) (:leader p))))))

(defn uncut-followers
  "Returns the followers that the newest follower(s)-from-leader partition in force did NOT cut
  off from their leader (sorted): with :followers-from-leader they alone make its quorum. [] when
  no such partition is in force."
  [state nodes]
  (let [p (last (filter :leader (:partitions @state)))]
    (if p
      (vec (sort (remove (conj (set (get (:grudge p) (:leader p))) (:leader p)) nodes)))
      [])))

(defn heal-partition!
  "Heals the partitions of kind in force: removes their links, except links a remaining partition
  also cuts. Returns {:healed kind :links [[receiver sender] ..] :cut what-stays-cut}."
  [test state kind]
  (let [{healed true kept false} (group-by #(= kind (:kind %)) (:partitions @state))
        remaining (apply net/merge-grudges (map :grudge kept))
        freed (net/grudge-minus (apply net/merge-grudges (map :grudge healed)) remaining)]
    (net/unpartition! test freed)
    (swap! state #(describe-cut (assoc % :partitions (vec kept))))
    {:healed kind :links (net/links freed) :cut remaining}))

(defn heal!
  "Undoes every fault on every node of the test: removes all harness iptables rules, resumes
  every paused process and starts every stopped one (waiting until each serves or dies, see
  leasekv.harness.nemesis.restarts). Safe to call at any time, any number of times. Returns a map
  describing what it did (:failed-starts names the nodes that could not restart)."
  [test]
  (let [db (:db test)
        nem (:nemesis test)
        pre (when (satisfies? PreHeal nem)
              (try (pre-heal! nem test) (catch Exception e {:error (.getMessage e)})))]
    (net/heal! test)
    (let [resumed (when (satisfies? db/Pause db) (on-targets! test (:nodes test) db/resume!))
          {:keys [started failed-starts]} (when (satisfies? db/Kill db) (restarts/start-all! test))]
      (cond-> {:resumed resumed :started started}
        pre (assoc :pre pre)
        failed-starts (assoc :failed-starts failed-starts)
        (satisfies? ExtraHeal nem) (assoc :extra (heal-extra! nem test))))))

(defrecord Combined [state]
  Nemesis
  (setup! [this test] (net/heal! test) this)
  (invoke! [_ test {:keys [f value] :as op}]
    (case f
      :start-partition
      (assoc op :value (add-partition! test state value (grudge-for test value)))
      :heal-partition
      (assoc op :value (heal-partition! test state value))
      :stop-partition
      (do (net/heal! test) (swap! state dissoc :partition :partitions) (assoc op :value :healed))
      :kill
      (let [nodes (select-nodes test value)
            r (on-targets! test nodes db/kill!)]
        (swap! state update :killed (fnil into #{}) nodes)
        (assoc op :value r))
      :start
      (let [{:keys [started failed-starts]} (restarts/start-all! test)]
        (swap! state dissoc :killed)
        (cond-> (assoc op :value started)
          failed-starts (assoc :failed-starts failed-starts)))
      :pause
      (let [nodes (select-nodes test value)
            r (on-targets! test nodes db/pause!)]
        (swap! state update :paused (fnil into #{}) nodes)
        (assoc op :value r))
      :resume
      (let [r (on-targets! test (:nodes test) db/resume!)]
        (swap! state dissoc :paused)
        (assoc op :value r))
      :transfer-leadership
      (let [leaders (set (db/primaries (:db test) test))
            candidates (vec (remove leaders (:nodes test)))]
        (if (seq candidates)
          (assoc op :value (db/transfer-leadership! (:db test) test (rand-nth candidates)))
          (assoc op :value :no-candidate)))
      (assoc op :error (str "unknown nemesis op " f))))
  (teardown! [_ _] nil))

(defn combined
  "Returns the combined nemesis (partitions, kills, pauses), with no fault active."
  []
  (->Combined (atom {})))

(defn active-faults
  "Returns a short text naming the faults a nemesis has active now (\"none\" when healthy)."
  [nemesis]
  (let [{:keys [partition killed paused other]} (some-> nemesis :state deref)
        parts (cond-> []
                partition (conj (str "partition " partition))
                (seq killed) (conj (str "killed " (str/join "," (sort killed))))
                (seq paused) (conj (str "paused " (str/join "," (sort paused))))
                (seq other) (into (map (fn [[k v]] (str (name k) " " v)) (sort-by key other))))]
    (if (seq parts) (str/join "; " parts) "none")))

(defn note-healed!
  "Tells the nemesis that heal! undid every fault. Returns nil."
  [nemesis]
  (some-> nemesis :state (reset! {}))
  nil)

;; ---------------------------------------------------------------------------------------------
;; Schedules

(def faults
  "Fault names for --nemesis. power-loss, clock, membership, delay, stall-apply and crash-at are implemented
  by leasekv.harness.nemesis.full (and scheduled by leasekv.harness.nemesis.schedules)."
  #{:partition :kill :pause :transfer :power-loss :clock :membership :delay :stall-apply :crash-at})

(defn- fault-ops
  "Returns [start-op stop-op] for one occurrence of fault, its target drawn from targets."
  [fault targets]
  (case fault
    :partition [{:type :info :f :start-partition :value (rand-nth targets)} {:type :info :f :stop-partition}]
    :kill [{:type :info :f :kill :value (rand-nth targets)} {:type :info :f :start}]
    :pause [{:type :info :f :pause :value (rand-nth targets)} {:type :info :f :resume}]
    :transfer [{:type :info :f :transfer-leadership} nil]))

(def default-targets
  {:partition partition-targets :kill kill-targets :pause pause-targets})

(defn schedule
  "Takes a set of faults (:partition, :kill, :pause), an interval in seconds and optionally a map
  of fault -> targets to draw from. Returns an endless nemesis generator: wait interval, start a
  fault, wait interval, stop it, and so on. Faults take turns in a freshly shuffled order each
  round, so every chosen fault happens within (count faults) intervals; targets are random.
  No faults: nil (no nemesis ops)."
  ([fault-set interval-secs] (schedule fault-set interval-secs default-targets))
  ([fault-set interval-secs targets]
   (when (seq fault-set)
     (let [fs (vec (sort fault-set))]
       (mapcat (fn [fault]
                 (let [[start stop] (fault-ops fault (get targets fault))]
                   (if stop
                     [(gen/sleep interval-secs) start (gen/sleep interval-secs) stop]
                     [(gen/sleep interval-secs) start])))
               (apply concat (repeatedly #(shuffle fs))))))))

(defn parse-targets
  "Takes comma-separated target names, the allowed targets and the option's name. Returns the
  targets (keywords). Throws ex-info naming the unknown one."
  [s allowed option]
  (let [words (remove str/blank? (map str/trim (str/split (or s "") #",")))]
    (when (empty? words)
      (throw (ex-info (str option " names no target") {:type :bad-option :option option})))
    (vec (for [w words]
           (let [k (keyword w)]
             (if (some #{k} allowed) k
                 (throw (ex-info (str "Unknown target `" w "` in " option "; known: "
                                      (str/join ", " (map name allowed)))
                                 {:type :bad-option :option option :value w}))))))))

(defn parse-faults
  "Takes the --nemesis text (comma-separated: partition, kill, pause, transfer; `none` or empty for no
  faults). Returns the set of faults. Throws ex-info naming the unknown fault."
  [s]
  (let [words (remove str/blank? (map str/trim (str/split (or s "") #",")))]
    (if (or (empty? words) (= ["none"] words))
      #{}
      (set (for [w words]
             (let [k (keyword w)]
               (if (faults k) k
                   (throw (ex-info (str "Unknown fault `" w "` in --nemesis; known: "
                                        (str/join ", " (map name (sort faults))) ", none")
                                   {:type :bad-option :option "--nemesis" :value w})))))))))
