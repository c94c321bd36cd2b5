(ns leasekv.harness.workloads.crash
  "The crash workload: RPUSH unique integers onto a few list keys while the nodes snapshot and
  compact their logs all the time (--snapshot-interval-entries 20 --log-retain-entries 0) and the
  schedule cuts the power of every node at once (see leasekv.harness.nemesis.power-loss). One op
  in ten is a read of a list during the run, asked first at the client's own node (so every node
  is asked, a node that wrongly believes it leads included) and, when that node is not the
  leader, at the leader. After healing, each list is read once more (the final read, :final?
  true: LRANGE at the leader, retried until it succeeds).

  Checked per key, against what the clients saw:
    lost        acknowledged elements missing from the final list;
    unexpected  elements in the list that no client ever tried to add;
    duplicates  elements in the list more than once (a replay applied a write twice);
    reordered   an element acknowledged before another was even sent, yet listed after it;
    stale reads a read during the run missing an element acknowledged before the read began;
    not-prefix  a read during the run that is not a prefix of the final list (an element it showed
                vanished or moved, or the replicas it came from diverged).
  Any of these is invalid; a key without a final read is :unknown."
  (:require [clojure.set :as set]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.history :as h]
            [leasekv.harness.independent :as independent]))

(def default-key-count 4)
(def read-fraction 0.1)
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

(defn- final-read
  "The final read: the last successful :final? read, or (histories from before reads during the
  run) the last successful read."
  [history]
  (let [reads (filter #(and (= :read (:f %)) (not (h/invoke? %))) history)
        marked? (some :final? reads)]
    (last (filter #(and (= :ok (:type %)) (or (not marked?) (:final? %))) reads))))

(defn check-reads
  "Takes a key's history, the final list and element -> {:invoke :complete}. Returns the reads
  during the run that missed an element acknowledged before they began (:stale) and those that
  are not a prefix of the final list (:not-prefix), each {:index :node :missing/:read-count}."
  [history final times]
  (let [acked (sort-by second (keep (fn [[x {:keys [complete]}]] (when complete [x complete])) times))
        reads (loop [ops (seq history) open {} out []]
                (if-let [op (first ops)]
                  (cond (h/invoke? op) (recur (next ops) (assoc open (:process op) op) out)
                        (and (= :read (:f op)) (= :ok (:type op)) (not (:final? op)))
                        (recur (next ops) (dissoc open (:process op)) (conj out [(get open (:process op)) op]))
                        :else (recur (next ops) (dissoc open (:process op)) out))
                  out))]
    (reduce (fn [acc [inv done]]
              (let [xs (vec (:value done))
                    present (set xs)
                    since (:time inv (:time done))
                    missing (vec (for [[x t] acked :while (< t since) :when (not (present x))] x))
                    prefix? (and (<= (count xs) (count final)) (= xs (subvec final 0 (count xs))))
                    where {:index (:index done) :node (or (:served-by done) (:node done))}]
                (cond-> acc
                  (seq missing) (update :stale conj (assoc where :missing (limited 10 missing)))
                  (not prefix?) (update :not-prefix conj (assoc where :read-count (count xs))))))
            {:stale [] :not-prefix [] :count (count reads)}
            reads)))

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
        final (final-read history)]
    (if-not final
      {:valid? :unknown :error "no successful final read" :attempt-count (count attempted)}
      (let [xs (vec (:value final))
            present (set xs)
            lost (sort (set/difference acked present))
            unexpected (sort (remove attempted present))
            dups (sort (keep (fn [[x n]] (when (> n 1) x)) (frequencies xs)))
            reorders (reordered xs times)
            {:keys [stale not-prefix] :as reads} (check-reads history xs times)]
        {:valid? (and (empty? lost) (empty? unexpected) (empty? dups) (empty? reorders) (empty? stale) (empty? not-prefix))
         :attempt-count (count attempted) :acknowledged-count (count acked) :read-count (count xs)
         :lost-count (count lost) :lost (limited 50 lost)
         :unexpected-count (count unexpected) :unexpected (limited 50 unexpected)
         :duplicate-count (count dups) :duplicates (limited 50 dups)
         :reordered-count (count reorders) :reordered (limited 20 reorders)
         :run-read-count (:count reads)
         :stale-read-count (count stale) :stale-reads (limited 10 stale)
         :not-prefix-count (count not-prefix) :not-prefix (limited 10 not-prefix)
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
         :run-read-count (total :run-read-count)
         :stale-read-count (total :stale-read-count)
         :not-prefix-count (total :not-prefix-count)
         :results results}))))

(defn generator
  "Adds of unique integers to random keys among key-count, and (one op in ten) reads of a key."
  [key-count]
  (let [counter (atom 0)]
    (fn [] (if (< (rand) read-fraction)
             {:f :read :value (independent/tuple (rand-int key-count) nil)}
             {:f :add :value (independent/tuple (rand-int key-count) (swap! counter inc))}))))

(defn final-generator
  "After healing: each key read once, retried every second until it succeeds (at most 90 tries)."
  [key-count]
  (gen/clients
   (for [k (range key-count)]
     (gen/until-ok (gen/limit 90 (gen/delay 1 (gen/repeat {:f :read :value (independent/tuple k nil) :final? true})))))))

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
