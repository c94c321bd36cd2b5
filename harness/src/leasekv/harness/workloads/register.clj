(ns leasekv.harness.workloads.register
  "The register workload: reads, writes and compare-and-sets over many independent keys, a few
  processes per key, each key checked on its own for linearizability (and for stale reads, which
  are reported in plain words).

  Ops (values are [key v] tuples): {:f :read :value [k nil]} -> [k current-or-nil],
  {:f :write :value [k v]}, {:f :cas :value [k [expected new]]}. Every value written to a key (by a
  write or as a cas's new value) is unique on that key, so a read names exactly the write it saw:
  a stale read names the write it missed, and a value no write produced is a phantom. A cas expects
  the value last known to be in the register (the last ok write, cas or read of its key), so it
  succeeds whenever no other write came between: the cas path of the store is exercised, not only
  its failures."
  (:require [leasekv.harness.checker :as checker]
            [leasekv.harness.checker.stale :as stale]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.independent :as independent]))

(defn- known-after
  "Returns the register's value as known after event: an ok write or cas names what it wrote, an
  ok read what it saw; anything else changes nothing. Completions arrive in any order, so the
  last one wins; a stale guess only costs a failed cas."
  [known {:keys [type f value]}]
  (if (= :ok type)
    (case f
      (:write :read) value
      :cas (second value)
      known)
    known))

(defn- next-op
  "Returns [op last-value'] for a random read, write or cas. A cas needs a known value to expect;
  until one is known (a new key is empty) it is a write."
  [last-value known]
  (let [fresh (inc last-value)
        kind (rand-nth [:read :write :cas])]
    (case (if (and (= :cas kind) (nil? known)) :write kind)
      :read [{:f :read :value nil} last-value]
      :write [{:f :write :value fresh} fresh]
      :cas [{:f :cas :value [known fresh]} fresh])))

(defrecord KeyOps [remaining last-value known]
  gen/Generator
  (gen/op [_ test ctx]
    (when (pos? remaining)
      (let [[o last-value'] (next-op last-value known)
            r (gen/op o test ctx)]
        (if (vector? r)
          [(first r) (->KeyOps (dec remaining) last-value' known)]
          r))))
  (gen/update [this _ _ event]
    (assoc this :known (known-after known event))))

(defn key-generator
  "Returns the generator of one key's ops: a random mix of reads, writes and cas, limit ops long.
  Written values are 1, 2, 3, ... on this key (unique); a cas expects the value last known to be
  in the register, as told by completions (see known-after)."
  [limit]
  (->KeyOps limit 0 nil))

(defn register-checker
  "Returns the register workload's checker: linearizability of every key (the Java checker,
  which splits the keys itself) and the harness's own stale-read report per key."
  [opts]
  (checker/compose {:linearizable (checker/linearizable {:model :cas-register :independent :yes
                                                         :time-limit-ms (* 1000 (:linear-time-limit opts 120))})
                    :stale-reads (checker/independent (stale/checker))}))

(defn workload
  "Takes options :concurrency, :threads-per-key (default 5; lowered to divide concurrency) and
  :ops-per-key (default 150). Returns {:generator :final-generator :checker}."
  [{:keys [concurrency threads-per-key ops-per-key] :or {threads-per-key 5 ops-per-key 150} :as opts}]
  (let [n (->> (range (min threads-per-key concurrency) 0 -1)
               (filter #(zero? (mod concurrency %)))
               first)]
    {:threads-per-key n
     :generator (independent/concurrent-generator n (range) (fn [_] (key-generator ops-per-key)))
     :final-generator nil
     :checker (register-checker opts)}))
