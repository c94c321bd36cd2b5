(ns leasekv.harness.web.series
  "The run page's data: the history packed into columns for the canvas timeline (one entry per
  client operation, times in microseconds, repeated strings interned), and the perf series the
  charts plot (throughput and latency quantiles per time bucket).

  The raw latency points are not stored twice: the page derives them from the timeline columns
  (start and duration of every completed op)."
  (:require [clojure.string :as str]
            [leasekv.harness.web.history :as wh]))

(def type-codes
  "Timeline type codes: what became of an invocation."
  {:ok 0 :fail 1 :info 2 :pending 3})

(defn- micros ^long [nanos] (quot (long nanos) 1000))

(defn- interner
  "Returns [intern! strings]: intern! maps a string to its index in the shared table (-1 for nil)."
  []
  (let [index (java.util.HashMap.)
        table (java.util.ArrayList.)]
    [(fn [s]
       (if (nil? s)
         -1
         (let [s (str s)]
           (or (.get index s)
               (let [i (.size table)] (.put index s i) (.add table s) i)))))
     table]))

(defn value-text
  "Returns an op value as the viewer shows it: EDN, cut at 160 characters."
  [v]
  (let [s (binding [*print-length* 50 *print-level* 6] (pr-str v))]
    (if (> (count s) 160) (str (subs s 0 159) "…") s)))

(defn- read-info
  "How a read was served, e.g. \"served by n4 · term 3 · local-unsafe\", or nil."
  [op]
  (let [parts (cond-> []
                (:served-by op) (conj (str "served by " (:served-by op)))
                (:term op) (conj (str "term " (:term op)))
                (:read-mode op) (conj (name (:read-mode op))))]
    (when (seq parts) (str/join " · " parts))))

(defn- op-error [op]
  (or (:error op)
      (when-let [e (:exception op)] (str (:class e) ": " (:message e)))))

(defn sort-pairs
  "Orders client pairs (see web.history/pairs) by start time, as the timeline stores them."
  [pairs]
  (vec (sort-by (fn [p] (first (wh/op-time p))) pairs)))

(defn marked-rows
  "Takes sorted pairs and history indices. Returns [{:index i :row r}] for each index that is the
  invocation or the completion of the pair at row r."
  [sorted-pairs indices]
  (let [wanted (set indices)
        hits (into {} (for [[row {:keys [invoke complete]}] (map-indexed vector sorted-pairs)
                            op [invoke complete]
                            :when (and op (wanted (:index op)))]
                        [(:index op) row]))]
    (vec (for [i indices :when (contains? hits i)] {:index i :row (hits i)}))))

(defn timeline-columns
  "Takes the client pairs sorted by sort-pairs. Returns the timeline's data: process lanes,
  the :f names, a string table and one column per field, each a long-array-like vector:
    t   start, microseconds since the previous op's start (the first: since the test began)
    d   duration in microseconds, -1 when the op never completed
    p   lane (index into :processes)
    k   type code (see type-codes)
    f   index into :fs
    v   invocation value (string table index)     cv  completion value (-1: same as invoked)
    n   node (string index, -1 none)              x   how a read was served (string index, -1 none)
    e   error (string index, -1 none)             i   history index of the invocation, delta-coded
  Ops are ordered by start time."
  [pairs]
  (let [processes (vec (sort (distinct (map :process pairs))))
        lane-of (zipmap processes (range))
        fs (vec (distinct (map :f pairs)))
        f-of (zipmap fs (range))
        [intern! table] (interner)
        cols (reduce
              (fn [cols [prev-start prev-index {:keys [invoke complete process f] :as pair}]]
                (let [[start end] (wh/op-time pair)
                      start-us (micros start)
                      op (merge invoke complete)
                      iv (value-text (:value (or invoke complete)))
                      cv (when complete (value-text (:value complete)))
                      idx (:index (or invoke complete) 0)]
                  (-> cols
                      (update :t conj! (- start-us prev-start))
                      (update :d conj! (if end (- (micros end) start-us) -1))
                      (update :p conj! (lane-of process))
                      (update :k conj! (type-codes (if complete (:type complete) :pending) 2))
                      (update :f conj! (f-of f))
                      (update :v conj! (intern! iv))
                      (update :cv conj! (if (or (nil? cv) (= cv iv)) -1 (intern! cv)))
                      (update :n conj! (intern! (:node op)))
                      (update :x conj! (intern! (read-info complete)))
                      (update :e conj! (intern! (op-error complete)))
                      (update :i conj! (- idx prev-index)))))
              (zipmap [:t :d :p :k :f :v :cv :n :x :e :i] (repeatedly #(transient [])))
              (map vector
                   (cons 0 (map #(micros (first (wh/op-time %))) pairs))
                   (cons 0 (map #(:index (or (:invoke %) (:complete %)) 0) pairs))
                   pairs))]
    {:processes processes
     :fs (mapv name fs)
     :strings (vec table)
     :columns (into {} (map (fn [[k v]] [k (persistent! v)])) cols)}))

;; ---------------------------------------------------------------------------------------------
;; Perf series

(def ^:private nice-steps-s [0.1 0.2 0.5 1 2 5 10 15 30 60 120 300 600])

(defn bucket-seconds
  "Returns a round bucket width (s) that cuts duration-s into at most about 150 buckets."
  [duration-s]
  (or (first (filter #(<= (/ duration-s %) 150) nice-steps-s)) (last nice-steps-s)))

(defn quantile
  "Returns the q-quantile (0..1, nearest rank) of a sorted vector of numbers, or nil if empty."
  [sorted q]
  (when (seq sorted)
    (sorted (min (dec (count sorted)) (int (Math/floor (* q (count sorted))))))))

(def quantiles [0.5 0.95 0.99 1.0])

(defn perf-series
  "Takes the client pairs and the history's end (ns). Returns
  {:bucket-s w :x [bucket midpoints, s]
   :throughput [{:f :type :y [completions/s per bucket]}]   by completion time
   :latency [{:f :q :y [ms or nil per bucket]}]}             by invocation time, all outcomes
  Ops that never completed count in neither."
  [pairs history-end-ns]
  (let [duration-s (max 1.0 (/ (double history-end-ns) 1e9))
        w (double (bucket-seconds duration-s))
        n (long (Math/ceil (/ duration-s w)))
        bucket (fn [ns] (min (dec n) (long (Math/floor (/ (/ (double ns) 1e9) w)))))
        done (for [{:keys [invoke complete f]} pairs
                   :when (and invoke complete (:time invoke) (:time complete))]
               {:f f :type (:type complete) :start (:time invoke) :end (:time complete)
                :latency-ms (/ (- (double (:time complete)) (:time invoke)) 1e6)})
        throughput (for [[[f t] ops] (sort-by (comp (juxt (comp name first) (comp name second)) key)
                                              (group-by (juxt :f :type) done))]
                     (let [counts (frequencies (map (comp bucket :end) ops))]
                       {:f (name f) :type (name t)
                        :y (mapv #(/ (double (get counts % 0)) w) (range n))}))
        latency (for [[f ops] (sort-by (comp name key) (group-by :f done))
                      :let [by-bucket (group-by (comp bucket :start) ops)
                            sorted (into {} (map (fn [[b os]] [b (vec (sort (map :latency-ms os)))])) by-bucket)]
                      q quantiles]
                  {:f (name f) :q q
                   :y (mapv #(some-> (get sorted %) (quantile q)) (range n))})]
    {:bucket-s w
     :x (mapv #(* w (+ % 0.5)) (range n))
     :throughput (vec throughput)
     :latency (vec latency)}))
