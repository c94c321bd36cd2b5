(ns leasekv.harness.workloads.crash
  "The crash workload: RPUSH unique integers onto a few list keys while the nodes snapshot and
  compact their logs all the time (--snapshot-interval-entries 20 --log-retain-entries 0) and the
  schedule cuts the power of every node at once (see leasekv.harness.nemesis.power-loss). After
  healing, each list is read once (LRANGE at the leader, retried until it succeeds).

  Checked per key, against what the clients saw:
    lost        acknowledged elements missing from the final list;
    unexpected  elements in the list that no client ever tried to add;
    duplicates  elements in the list more than once (a replay applied a write twice);
    reordered   an element acknowledged before another was even sent, yet listed after it.
  Any of these is invalid; a key without a final read is :unknown."
  (:require [clojure.set :as set]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.history :as h]
            [leasekv.harness.independent :as independent]))

(def default-key-count 4)
(def store-args "--snapshot-interval-entries 20 --log-retain-entries 0")

(defn- limited [n xs] (let [xs (vec xs)] (if (> (count xs) n) (conj (subvec xs 0 n) '...) xs)))

(defn reordered
  "Takes the final list and, per element, {:invoke t :complete t-or-nil}. Returns the pairs
  [earlier later] where `earlier` was acknowledged before `later` was sent, yet `later` is listed
  first."
  [final times]
  (loop [xs final latest nil out []]
    (if-let [[x & more] (seq xs)]
      (let [{:keys [invoke complete]} (times x)
            out (if (and complete latest (< complete (:invoke latest)))
                  (conj out [x (:element latest)])
                  out)
            latest (if (and invoke (or (nil? latest) (> invoke (:invoke latest))))
                     {:element x :invoke invoke}
                     latest)]
        (recur more latest out))
      out)))

(defn check-key
  "Checks one key's history (values unwrapped: adds carry the element, reads the list)."
  [history]
  (let [pairs (h/pair-index history)
        adds (filter #(and (h/invoke? %) (= :add (:f %))) history)
        times (into {} (for [inv adds
                             :let [c (get pairs (:index inv))]]
                         [(:value inv) {:invoke (:time inv) :complete (when (= :ok (:type c)) (:time c))
                                        :type (:type c :open)}]))
        attempted (set (keys times))
        acked (set (keep (fn [[x t]] (when (= :ok (:type t)) x)) times))
        final (last (filter #(and (= :read (:f %)) (= :ok (:type %)) (not (h/invoke? %))) history))]
    (if-not final
      {:valid? :unknown :error "no successful final read" :attempt-count (count attempted)}
      (let [xs (vec (:value final))
            present (set xs)
            lost (sort (set/difference acked present))
            unexpected (sort (remove attempted present))
            dups (sort (keep (fn [[x n]] (when (> n 1) x)) (frequencies xs)))
            reorders (reordered xs times)]
        {:valid? (and (empty? lost) (empty? unexpected) (empty? dups) (empty? reorders))
         :attempt-count (count attempted) :acknowledged-count (count acked) :read-count (count xs)
         :lost-count (count lost) :lost (limited 50 lost)
         :unexpected-count (count unexpected) :unexpected (limited 50 unexpected)
         :duplicate-count (count dups) :duplicates (limited 50 dups)
         :reordered-count (count reorders) :reordered (limited 20 reorders)
         :recovered-count (count (filter #(= :info (:type (times %))) xs))}))))

(defn crash-checker
  "The workload's checker: check-key for every list key; valid when every key is."
  []
  (reify checker/Checker
    (check [_ _ history _]
      (let [results (into (sorted-map) (for [[k sub] (independent/subhistories history)] [k (check-key sub)]))
            total (fn [f] (reduce + 0 (keep f (vals results))))]
        {:valid? (checker/merge-valid (map :valid? (vals results)))
         :key-count (count results)
         :acknowledged-count (total :acknowledged-count)
         :lost-count (total :lost-count)
         :unexpected-count (total :unexpected-count)
         :duplicate-count (total :duplicate-count)
         :reordered-count (total :reordered-count)
         :results results}))))

(defn generator
  "Adds of unique integers to random keys among key-count."
  [key-count]
  (let [counter (atom 0)]
    (fn [] {:f :add :value (independent/tuple (rand-int key-count) (swap! counter inc))})))

(defn final-generator
  "After healing: each key read once, retried every second until it succeeds (at most 90 tries)."
  [key-count]
  (gen/clients
   (for [k (range key-count)]
     (gen/until-ok (gen/limit 90 (gen/delay 1 (gen/repeat {:f :read :value (independent/tuple k nil)})))))))

(defn workload
  "Options: :key-count (default 4). Returns {:generator :final-generator :checker :client :store-args}."
  [opts]
  (let [n (:key-count opts default-key-count)]
    {:generator (generator n)
     :final-generator (final-generator n)
     :checker (crash-checker)
     :client ((requiring-resolve 'leasekv.harness.client.lease/client))
     :store-args store-args
     :needs-db "leasekv"}))
