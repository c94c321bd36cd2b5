(ns leasekv.harness.independent
  "Many independent keys in one test, as in Jepsen: an operation's :value is a tuple [key v]; the
  generator runs a few threads per key, and the checker checks each key's history on its own."
  (:require [leasekv.harness.generator :as gen]))

(defn tuple
  "Returns the tuple [k v] (a map entry, which prints as a vector)."
  [k v]
  (clojure.lang.MapEntry/create k v))

(defn- group-of [n thread] (quot thread n))

(defn- next-state [keys gen-fn]
  (when-let [ks (seq keys)]
    [{:key (first ks) :gen (gen-fn (first ks))} (rest ks)]))

(defn- group-result
  "Asks group gi's generator for an op, moving to new keys while the current one is exhausted.
  Returns [result state keys-left]."
  [test ctx gen-fn state keys]
  (loop [state state keys keys]
    (let [[state keys] (if state [state keys] (or (next-state keys gen-fn) [nil keys]))]
      (if (nil? state)
        [nil nil keys]
        (let [r (gen/op (:gen state) test ctx)]
          (if (nil? r) (recur nil keys) [r state keys]))))))

(defrecord ConcurrentGenerator [n keys gen-fn groups]
  gen/Generator
  (gen/op [_ test ctx]
    (let [client-threads (filter integer? (:threads ctx))
          group-ids (sort (distinct (map #(group-of n %) client-threads)))
          [results groups keys]
          (reduce (fn [[results groups keys] gi]
                    (let [gctx (gen/restrict ctx #(and (integer? %) (= gi (group-of n %))))
                          [r state keys] (group-result test gctx gen-fn (get groups gi) keys)]
                      [(conj results [gi r state]) (assoc groups gi state) keys]))
                  [[] groups keys] group-ids)
          emitting (filter #(vector? (second %)) results)
          best (reduce (fn [a b] (if (or (nil? a) (not= (second a) (gen/soonest (second a) (second b)))) b a))
                       nil emitting)]
      (if-let [[gi [o g'] state] best]
        [(assoc o :value (tuple (:key state) (:value o)))
         (->ConcurrentGenerator n keys gen-fn (assoc groups gi (assoc state :gen g')))]
        (when (some #(= :pending (second %)) results) :pending))))
  (gen/update [this test ctx event]
    (let [t (gen/process->thread ctx (:process event))]
      (if-not (integer? t)
        this
        (let [gi (group-of n t)
              state (get groups gi)
              [k v] (when (vector? (:value event)) (:value event))]
          (if (and state (= k (:key state)))
            (let [gctx (gen/restrict ctx #(and (integer? %) (= gi (group-of n %))))]
              (->ConcurrentGenerator n keys gen-fn
                                     (assoc groups gi (update state :gen #(gen/update % test gctx (assoc event :value v))))))
            this))))))

(defn concurrent-generator
  "Takes n, a sequence of keys and (gen-fn key) returning a generator of plain ops for that key.
  Client threads form groups of n (thread t is in group t quot n); each group works through one
  key's generator, wrapping every :value as [key value], then takes the next unused key. The
  number of client threads should be a multiple of n."
  [n keys gen-fn]
  (assert (pos? n) "threads per key must be positive")
  (->ConcurrentGenerator n keys gen-fn {}))

(defn tuple-op?
  "True when op's :value is a [key value] tuple."
  [op]
  (and (vector? (:value op)) (= 2 (count (:value op)))))

(defn subhistories
  "Takes a history of client ops whose values are [key value] tuples. Returns a sorted map of key
  to that key's ops, in history order, with :value unwrapped. Ops without a tuple value (e.g. the
  nemesis's) are left out."
  [history]
  (reduce (fn [m op]
            (if (and (integer? (:process op)) (tuple-op? op))
              (let [[k v] (:value op)]
                (update m k (fnil conj []) (assoc op :value v)))
              m))
          (sorted-map) history))
