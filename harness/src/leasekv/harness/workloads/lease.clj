(ns leasekv.harness.workloads.lease
  "The lease workload: a register shaped for the lease window.

  - Every client thread works on the same hot key at the same time (the key changes every
    --key-period seconds, so each key's history stays small enough to check exactly), so each key
    is read often through every node: thread t reads at its own node t mod n, with no redirect.
    A node that wrongly believes it leads answers those reads.
  - One writer thread per node (the others only read): writes go to the leader (following redirects) with values unique per key, so a stale read
    names exactly the write it missed. Right after a write is acknowledged, the same thread reads
    the key back through the node that acknowledged it (:via), which is the old leader if a fault
    just moved leadership.
  - Faults come from the schedule (see leasekv.harness.nemesis.schedules): leader isolation,
    pauses, one-way partitions, delayed acks, transfers, clocks.

  Checked like the register workload, but each key with its own time budget (--linear-time-limit
  seconds per key): linearizability per key (the Java checker) and the harness's stale-read report (which node served the read, in which term and read mode, which acknowledged
  write it missed, by how many ms)."
  (:require [leasekv.harness.checker :as checker]
            [leasekv.harness.checker.stale :as stale]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.history :as h]
            [leasekv.harness.independent :as independent]
            [leasekv.harness.util :as util]))

(def default-key-period-secs 5)
(def write-fraction 0.5)

(defn key-at
  "The hot key at time-nanos, for a key period in seconds."
  [time-nanos period-secs]
  (quot (long time-nanos) (long (* period-secs 1e9))))

(defrecord ThreadGen [period-secs writers written readback]
  ;; writers: how many client threads write (the first ones: thread t talks to node t mod n, so
  ;; the first n threads are one writer per node); the others only read. Few writers keep the
  ;; number of writes in flight at once small, which the linearizability search needs after a
  ;; fault releases them all together. written: writes this thread issued so far (for unique
  ;; values); readback: {:key k :via node} after an acknowledged write, until it is read back.
  gen/Generator
  (op [this test ctx]
    (let [thread (first (filter integer? (:threads ctx)))
          k (key-at (:time ctx) period-secs)
          [o next] (cond
                     readback [{:f :read :value (independent/tuple (:key readback) nil) :via (:via readback)}
                               (assoc this :readback nil)]
                     (and (< thread writers) (< (rand) write-fraction))
                     [{:f :write :value (independent/tuple k (+ (* 1000 (inc written)) thread))}
                      (update this :written inc)]
                     :else [{:f :read :value (independent/tuple k nil)} this])
          r (gen/op o test ctx)]
      (if (vector? r) [(first r) next] r)))
  (update [this _ _ event]
    (if (and (= :write (:f event)) (= :ok (:type event)) (:acked-by event))
      (assoc this :readback {:key (first (:value event)) :via (:acked-by event)})
      this)))

(defn generator
  "Returns the client generator: every client thread its own ThreadGen; the first `writers`
  threads write (and read), the others only read."
  ([period-secs] (generator period-secs Long/MAX_VALUE))
  ([period-secs writers]
   (gen/clients (gen/each-thread (->ThreadGen period-secs writers 0 nil)))))

(defn drop-unobserved-crashed-writes
  "Takes a history of [key value] register ops with unique write values. Returns it without the
  writes that may or may not have happened (ended :info or never completed) and whose value no
  read returned. Sound and complete for linearizability: such a write may take effect never, and
  if it took effect some time, no read was linearized before the next write (a read there would
  have returned its value), so removing it changes no read. It makes the check tractable: every
  write sent to an isolated or paused leader ends :info, and each of them otherwise multiplies the
  checker's search."
  [history]
  (let [pairs (h/pair-index history)
        observed (into #{} (keep (fn [op] (when (and (= :read (:f op)) (= :ok (:type op)) (not (h/invoke? op)))
                                            (:value op))))
                       history)
        dropped (into #{} (keep (fn [op]
                                  (when (and (h/invoke? op) (= :write (:f op))
                                             (not= :ok (:type (get pairs (:index op))))
                                             (not (observed (:value op))))
                                    (:index op))))
                      history)
        dropped-completions (into #{} (keep #(some-> (get pairs %) :index)) dropped)]
    (vec (remove #(or (dropped (:index %)) (dropped-completions (:index %))) history))))

(defn- merge-linear
  "Merges per-key results of the Java checker into the shape of one multi-key result."
  [results]
  (let [valid (checker/merge-valid (map :valid? results))]
    {:valid? valid
     :failures (vec (mapcat :failures results))
     :unknown-keys (vec (mapcat :unknown-keys results))
     :stale-reads (vec (mapcat :stale-reads results))
     :results (apply merge (map :results results))
     :diagrams (vec (mapcat :diagrams results))
     :key-count (count results)
     :op-count (reduce + 0 (keep :op-count results))
     :checker-jar (some :checker-jar results)}))

(defn per-key-linearizable
  "Linearizability of every key, each checked on its own by the Java checker with its own time
  budget (time-limit-secs), two keys at a time: one key whose search explodes (an invalid key must
  be searched exhaustively) then costs only its own budget, and every other key is still decided."
  [time-limit-secs]
  (reify checker/Checker
    (check [_ test history opts]
      (if-let [f (try (requiring-resolve 'leasekv.harness.checker.linear/check-register)
                      (catch Throwable _ nil))]
        (let [by-key (group-by #(first (:value %)) (filter #(and (h/client-op? %) (independent/tuple-op? %)) history))
              check-key (fn [[_ ops]] (f {:model :cas-register :independent :yes :time-limit-ms (* 1000 time-limit-secs)}
                                         test ops opts))
              groups (partition-all (max 1 (long (Math/ceil (/ (count by-key) 2.0)))) (sort-by key by-key))]
          (merge-linear (apply concat (util/real-pmap #(mapv check-key %) groups))))
        {:valid? :unknown :error "the leasekv-checker jar is not on the classpath"}))))

(defn lease-checker
  "Linearizability per key (per-key-linearizable) and the harness's stale-read report, over the
  history without unobserved crashed writes."
  [opts]
  (let [inner (checker/compose {:linearizable (per-key-linearizable (:linear-time-limit opts 30))
                                :stale-reads (checker/independent (stale/checker))})]
    (reify checker/Checker
      (check [_ test history check-opts]
        (let [reduced (drop-unobserved-crashed-writes history)]
          (assoc (checker/check inner test reduced check-opts)
                 :dropped-crashed-writes (quot (- (count history) (count reduced)) 2)))))))

(defn workload
  "Options: :key-period (seconds a key stays hot, default 5), :writers (writing threads, default
  one per node: :node-count), :linear-time-limit (seconds per key). Returns
  {:generator :final-generator :checker :client}."
  [opts]
  {:generator (generator (:key-period opts default-key-period-secs)
                        (:writers opts (:node-count opts 5)))
   :final-generator nil
   :checker (lease-checker opts)
   :client ((requiring-resolve 'leasekv.harness.client.lease/client))
   :needs-db "leasekv"})
