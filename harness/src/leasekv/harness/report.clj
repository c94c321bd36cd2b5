(ns leasekv.harness.report
  "Plain-words findings of a run, for results.edn and for the summary printed after the verdict:
  every stale read in one flat list (which key, which node served it, in which term and read
  mode, which acknowledged write it missed and by how many milliseconds), lost or phantom list
  elements, replicas that disagree, nodes that did not come back from a power loss."
  (:require [clojure.string :as str]))

(defn- harness-stale-reads
  "The harness's own stale-read checker's findings, per key, flattened."
  [results]
  (for [[k r] (get-in results [:workload :stale-reads :results])
        s (:stale-reads r)]
    {:key k :read-index (:read-index s) :value (:read-value s)
     :node (or (:served-by s) (:node s)) :term (:term s) :read-mode (:read-mode s)
     :missed-write (select-keys (:missed-write s) [:index :value :completed-at-ms])
     :stale-by-ms (some-> (:stale-by-ms s) double)
     :explanation (:explanation s)}))

(defn- checker-stale-reads
  "The Java linearizability checker's stale reads (one per invalid key)."
  [results]
  (for [s (get-in results [:workload :linearizable :stale-reads])]
    {:key (:key s) :read-index (:read-index s) :value (:value s)
     :node (or (get-in s [:read :served-by]) (:node s)) :term (:term s) :read-mode (some-> (:read-mode s) keyword)
     :missed-write {:index (:write-index s) :value (:write-value s)
                    :completed-at-ms (some-> (:write-acked-nanos s) (/ 1e6))}
     :stale-by-ms (some-> (:lag-ms s) double)
     :explanation (some-> (:explanation s) (str/replace #"\s+" " "))}))

(defn- merge-read
  "One entry for a read that one or both checkers reported: every write they say it missed, each
  once (:missed-writes, in history order, named by the index of its acknowledgement); :missed-write
  and :stale-by-ms are the last of them, the latest acknowledged."
  [reports]
  (let [writes (->> reports
                    (map #(assoc (:missed-write %) :stale-by-ms (:stale-by-ms %)))
                    (group-by :index)
                    (map (fn [[_ ws]] (apply merge (reverse ws))))
                    (sort-by #(or (:index %) Long/MAX_VALUE))
                    vec)
        field (fn [k] (some k reports))]
    (assoc (first reports)
           :node (field :node) :term (field :term) :read-mode (field :read-mode)
           :missed-writes writes
           :missed-write (dissoc (peek writes) :stale-by-ms)
           :stale-by-ms (:stale-by-ms (peek writes))
           :explanation (field :explanation))))

(defn stale-reads
  "Every stale read the checkers found, one entry per read (key and op index), ordered by index;
  a read both checkers found is one entry listing every write either says it missed."
  [results]
  (->> (concat (harness-stale-reads results) (checker-stale-reads results))
       (group-by (juxt :key :read-index))
       vals
       (map merge-read)
       (sort-by :read-index)
       vec))

(defn- writes-text
  "\"write #30 of 8\", or \"writes #30 of 8 and #31 of 9\"."
  [writes]
  (str (if (< 1 (count writes)) "writes " "write ")
       (str/join " and " (map #(str "#" (:index %) " of " (pr-str (:value %))) writes))))

(defn- stale-line
  "One line for a group of stale reads of one key, served by one node in one term, that missed
  the same writes."
  [group]
  (let [{:keys [key node term read-mode value missed-writes read-index]} (first group)
        lags (keep :stale-by-ms group)
        last-write (if (< 1 (count missed-writes)) ", the last" "")]
    (str (if (= 1 (count group)) (str "stale read #" read-index) (str (count group) " stale reads from #" read-index))
         " of key " (pr-str key) ": " (pr-str value)
         " served by " node (when term (str " in term " term))
         (when read-mode (str " (" (name read-mode) " read)")) ", missing " (writes-text missed-writes)
         (when (seq lags)
           (if (= 1 (count lags))
             (format "%s acknowledged %.1f ms before the read began" last-write (first lags))
             (format "%s acknowledged %.1f-%.1f ms before the reads began" last-write (apply min lags) (apply max lags)))))))

(defn- grouped [stale]
  (->> stale
       (partition-by (juxt :key :node :term :read-mode #(map :index (:missed-writes %))))
       vec))

(defn lines
  "Returns the findings of a results map as lines of plain text (empty when there is nothing to
  report)."
  [results]
  (let [stale (stale-reads results)
        w (:workload results)
        lin (:linearizable w)
        replicas (:replicas results)
        restarts (:restarts results)]
    (vec (concat
          (let [gs (grouped stale)]
            (concat (map stale-line (take 10 gs))
                    (when (> (count gs) 10)
                      [(str "... and " (reduce + (map count (drop 10 gs))) " more stale reads (results.edn :stale-read-report)")])))
          (when (and (seq (:failures lin)) (empty? stale))
            [(str "not linearizable: keys " (pr-str (:failures lin)))])
          (when (seq (:unknown-keys lin)) [(str "linearizability unknown for keys " (pr-str (:unknown-keys lin)))])
          (for [[k r] (:results w)
                :when (and (map? r) (or (pos? (:lost-count r 0)) (pos? (:unexpected-count r 0))
                                        (pos? (:duplicate-count r 0)) (pos? (:reordered-count r 0))))]
            (str "list " (pr-str k) ": lost " (:lost-count r 0) " " (pr-str (:lost r))
                 ", unexpected " (:unexpected-count r 0) ", duplicated " (:duplicate-count r 0)
                 ", reordered " (:reordered-count r 0)))
          (when (and (nil? (:results w)) (pos? (:lost-count w 0)))
            [(str "lost " (:lost-count w) " acknowledged elements " (pr-str (:lost w)))])
          (when (and (nil? (:results w)) (pos? (:unexpected-count w 0)))
            [(str "unexpected elements " (pr-str (:unexpected w)))])
          (when (and (nil? (:results w)) (pos? (:duplicate-count w 0)))
            [(str (:duplicate-count w) " elements applied more than once " (pr-str (:duplicates w)))])
          (when (false? (:valid? replicas)) [(str "replicas disagree: " (:explanation replicas))])
          (when (= :unknown (:valid? replicas)) [(str "replicas: " (:explanation replicas))])
          (for [[node [f & more]] (sort-by key (group-by :node (:failed-starts restarts)))]
            (str "node " node " could not restart after the " (name (or (:f f) :power-loss)) " at op " (:op-index f)
                 (when (seq more) (str " (and " (count more) " more time" (when (next more) "s") ")")) ": "
                 (last (str/split-lines (:log-tail f)))))
          (when (false? (get-in results [:stats :valid?]))
            [(str "some operation never succeeded: " (pr-str (into {} (for [[f r] (get-in results [:stats :by-f])
                                                                              :when (not (:valid? r))]
                                                                          [f (dissoc r :valid?)]))))])))))

(defn annotate
  "Adds :stale-read-report (every stale read, flat) and :findings (the summary lines) to a
  results map."
  [results]
  (let [stale (stale-reads results)]
    (cond-> (assoc results :findings (lines results))
      (seq stale) (assoc :stale-read-report (vec (take 200 stale)) :stale-read-count (count stale)))))
