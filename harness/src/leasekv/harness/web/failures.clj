(ns leasekv.harness.web.failures
  "Pulls what a person needs out of a results.edn: every checker's verdict, and for each failure
  the plain-words explanation, the stale-read reports (node, term, read mode, the write the read
  missed and by how many ms), the linearizability diagrams, lost or unexpected set elements,
  operations that never succeeded, exceptions and checker errors.

  Works on the shape, not on a fixed list of checkers: a checker added later still shows up with
  its verdict and error."
  (:require [clojure.java.io :as io]
            [clojure.string :as str])
  (:import (java.io File)))

(defn- checker-node? [x] (and (map? x) (contains? x :valid?)))

(defn- child-nodes
  "The checker results nested in node: entries whose values carry :valid?. Under a per-key
  :results map only the keys that are not valid count, so thousands of valid keys stay quiet."
  [node]
  (concat
   (for [[k v] node :when (and (not= :results k) (checker-node? v))] [[k] v])
   (for [[k v] (:results node) :when (and (checker-node? v) (not (true? (:valid? v))))] [[:results k] v])))

(defn checks
  "Returns the checker results of a results map, depth first: [{:path [...] :valid? v :error e}].
  The root is the path []."
  [results]
  (letfn [(walk [path node depth]
            (cons {:path path :valid? (:valid? node) :error (when (string? (:error node)) (:error node))}
                  (when (< depth 6)
                    (mapcat (fn [[p child]] (walk (into path p) child (inc depth))) (child-nodes node)))))]
    (if (checker-node? results) (vec (walk [] results 0)) [])))

(defn- linearizable-node? [node] (and (map? node) (contains? node :model) (map? (:results node))))

(defn- nodes-where
  "Returns [path node] for every map anywhere in results for which pred holds."
  [pred results]
  (letfn [(walk [path x]
            (cond (map? x) (concat (when (pred x) [[path x]])
                                   (mapcat (fn [[k v]] (walk (conj path k) v)) x))
                  (vector? x) (mapcat (fn [i v] (walk (conj path i) v)) (range) x)
                  :else nil))]
    (walk [] results)))

(defn- key-from-path
  "The independent key a path runs through: the entry right under a :results map."
  [path]
  (some (fn [[a b]] (when (= :results a) b)) (partition 2 1 path)))

(defn- stale-row [source path r]
  {:source source
   :key (if (contains? r :key) (:key r) (key-from-path path))
   :node (or (:node r) (get-in r [:read :node]))
   :served-by (or (:served-by r) (get-in r [:read :served-by]))
   :term (or (:term r) (get-in r [:read :term]))
   :read-mode (some-> (or (:read-mode r) (get-in r [:read :read-mode])) name)
   :read-index (:read-index r)
   :read-value (if (contains? r :read-value) (:read-value r) (:value r))
   :write-index (or (:write-index r) (get-in r [:missed-write :index]))
   :write-value (if (contains? r :write-value) (:write-value r) (get-in r [:missed-write :value]))
   :lag-ms (or (:lag-ms r) (:stale-by-ms r))
   :explanation (:explanation r)})

(defn- missed-writes
  "The writes a read's reports say it missed: each write once, in history order, with the
  checkers that named it."
  [reports]
  (->> (group-by :write-index reports)
       (map (fn [[index rs]]
              {:write-index index
               :write-value (:write-value (first rs))
               :lag-ms (some :lag-ms rs)
               :sources (vec (distinct (map :source rs)))}))
       (sort-by #(or (:write-index %) Long/MAX_VALUE))
       vec))

(defn- merge-read
  "One row for the reports (from either checker) of one read: the read's fields, every write it
  missed, the checkers that found it and each report's sentence."
  [reports]
  (let [field (fn [k] (some k reports))]
    {:key (:key (first reports))
     :read-index (:read-index (first reports))
     :read-value (:read-value (first reports))
     :node (field :node) :served-by (field :served-by) :term (field :term) :read-mode (field :read-mode)
     :missed-writes (missed-writes reports)
     :sources (vec (distinct (map :source reports)))
     :explanations (vec (distinct (keep :explanation reports)))}))

(defn stale-reads
  "Every stale read in the results, one row per read: the Java linearizability checker's and the
  harness's own stale-read checker's reports of the same read (same key and history index) are
  merged, and the row lists every write they say the read missed. Ordered by the read's index."
  [results]
  (let [reports (for [[path node] (nodes-where #(and (vector? (:stale-reads %)) (every? map? (:stale-reads %))) results)
                      r (:stale-reads node)]
                  (stale-row (if (linearizable-node? node) "linearizability checker" "stale-read checker") path r))
        read-of (fn [i r] (if (:read-index r) [(:key r) (:read-index r)] [::unindexed i]))]
    (->> (map-indexed vector reports)
         (group-by (fn [[i r]] (read-of i r)))
         vals
         (map #(merge-read (map second %)))
         (sort-by #(or (:read-index %) Long/MAX_VALUE))
         vec)))

(defn diagram-files
  "Returns the SVG diagrams a run holds under linear/, as paths relative to the run, sorted."
  [^File dir]
  (let [d (io/file dir "linear")]
    (if (.isDirectory d)
      (vec (sort (for [^File f (.listFiles d) :when (str/ends-with? (.getName f) ".svg")]
                   (str "linear/" (.getName f)))))
      [])))

(defn- diagram-for [diagrams k]
  (let [wanted (str "linear/linear-key-" k ".svg")]
    (or (some #(when (= wanted %) %) diagrams)
        (when (and (nil? k) (= 1 (count diagrams))) (first diagrams)))))

(defn linear-failures
  "The invalid keys of every linearizability result: key, explanation, the failing op, the stale
  read if that is what it is, the final states the search reached, and the diagram file."
  [results diagrams]
  (vec (for [[path node] (nodes-where linearizable-node? results)
             k (:failures node)
             :let [r (get-in node [:results k])]]
         {:path path :key k
          :explanation (:explanation r)
          :op (:op r)
          :configs (vec (take 8 (map :error (:configs r))))
          :window-size (count (:window r))
          :stale-read (some->> (:stale-read r) (stale-row "linearizability checker" path))
          :diagram (diagram-for diagrams k)})))

(defn unknown-keys
  "Keys the linearizability checker could not decide, with why."
  [results]
  (vec (for [[path node] (nodes-where linearizable-node? results)
             [k r] (sort-by (comp str key) (:results node))
             :when (= :unknown (:valid? r))]
         {:path path :key k :cause (some-> (:cause r) name) :reason (or (:reason r) (:error r))})))

(defn set-results
  "Set checker results (maps with :lost and :unexpected): the counts and elements."
  [results]
  (vec (for [[path node] (nodes-where #(and (contains? % :lost) (contains? % :unexpected)) results)]
         (assoc (select-keys node [:valid? :lost :lost-count :unexpected :unexpected-count :recovered-count
                                   :acknowledged-count :attempt-count :indeterminate-count])
                :path path))))

(defn never-succeeded
  "The :f names the stats checker found with no successful op."
  [results]
  (vec (for [[_ node] (nodes-where #(map? (:by-f %)) results)
             [f s] (:by-f node)
             :when (false? (:valid? s))]
         {:f (name f) :count (:count s) :fail-count (:fail-count s) :info-count (:info-count s)})))

(defn exceptions
  "The exception groups the exceptions checker reported."
  [results]
  (vec (for [[_ node] (nodes-where #(and (vector? (:exceptions %)) (contains? % :valid?)) results)
             e (:exceptions node)]
         e)))

(defn marked-ops
  "History indices the timeline should point at: failing ops, stale reads and the writes they
  missed."
  [linear stale]
  (vec (distinct (remove nil? (concat (map (comp :index :op) linear)
                                      (mapcat #(cons (:read-index %) (map :write-index (:missed-writes %))) stale))))))

(defn report
  "Takes a run directory and its results map (nil when unreadable). Returns everything the run
  page shows about the verdict."
  [^File dir results]
  (let [diagrams (diagram-files dir)
        linear (linear-failures results diagrams)
        stale (stale-reads results)]
    {:checks (checks results)
     :findings (vec (filter string? (:findings results)))
     :linear linear
     :unknown-keys (unknown-keys results)
     :stale-reads stale
     :sets (set-results results)
     :never-succeeded (never-succeeded results)
     :exceptions (exceptions results)
     :diagrams diagrams
     :marked-ops (marked-ops linear stale)}))
