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
  (let [^String s (if (instance? leasekv.harness.web.history.EdnText v)
                    (:text v)
                    (binding [*print-length* 50 *print-level* 6] (pr-str v)))]
    (if (> (.length s) 160) (str (subs s 0 159) "…") s)))

(defn- read-info
  "How a read was served, e.g. \"served by n4 · term 3 · local-unsafe\", or nil. Memoized in
  cache: a run has few distinct combinations and many reads."
  [^java.util.HashMap cache op]
  (let [k [(:served-by op) (:term op) (:read-mode op)]]
    (when (some some? k)
      (or (.get cache k)
          (let [[served term mode] k
                s (str/join " · " (cond-> []
                                    served (conj (str "served by " served))
                                    term (conj (str "term " term))
                                    mode (conj (name mode))))]
            (.put cache k s)
            s)))))

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

(def column-names [:t :d :p :k :f :v :cv :n :x :e :i :c])

(defn timeline-columns
  "Takes the client pairs sorted by sort-pairs. Returns the timeline's data: process lanes, the
  :f names, a string table and one column per field, each a long array:
    t   start, microseconds since the previous op's start (the first: since the test began)
    d   duration in microseconds, -1 when the op never completed
    p   lane (index into :processes)
    k   type code (see type-codes)
    f   index into :fs
    v   invocation value (string table index)     cv  completion value (-1: same as invoked)
    n   node (string index, -1 none)              x   how a read was served (string index, -1 none)
    e   error (string index, -1 none)             i   history index of the invocation, delta-coded
    c   history index of the completion minus the invocation's (-1: none)
  Ops are ordered by start time."
  [pairs]
  (let [n (count pairs)
        processes (vec (sort (distinct (map :process pairs))))
        lane-of (zipmap processes (range))
        fs (vec (sort-by name (distinct (map :f pairs))))
        f-of (zipmap fs (range))
        [intern! table] (interner)
        cols (zipmap column-names (repeatedly #(long-array n)))
        put! (fn [k ^long row ^long v] (aset ^longs (cols k) row v))
        read-infos (java.util.HashMap.)]
    (loop [row 0 pairs (seq pairs) prev-start 0 prev-index 0]
      (when-let [{:keys [invoke complete process f] :as pair} (first pairs)]
        (let [[start end] (wh/op-time pair)
              start-us (micros start)
              first-op (or invoke complete)
              iv (value-text (:value first-op))
              cv (when complete (value-text (:value complete)))
              idx (long (:index first-op 0))]
          (put! :t row (- start-us prev-start))
          (put! :d row (if end (- (micros end) start-us) -1))
          (put! :p row (lane-of process))
          (put! :k row (type-codes (if complete (:type complete) :pending) 2))
          (put! :f row (f-of f))
          (put! :v row (intern! iv))
          (put! :cv row (if (or (nil? cv) (= cv iv)) -1 (intern! cv)))
          (put! :n row (intern! (or (:node complete) (:node invoke))))
          (put! :x row (intern! (read-info read-infos complete)))
          (put! :e row (intern! (op-error complete)))
          (put! :i row (- idx prev-index))
          (put! :c row (if (and invoke complete) (- (long (:index complete)) idx) -1))
          (recur (inc row) (next pairs) start-us idx))))
    {:processes processes
     :fs (mapv name fs)
     :strings (vec table)
     :columns cols}))

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

(defn- completed
  "The completed client ops as [f type start-ns end-ns] tuples."
  [pairs]
  (for [{:keys [invoke complete f]} pairs
        :when (and invoke complete (:time invoke) (:time complete))]
    [f (:type complete) (long (:time invoke)) (long (:time complete))]))

(defn- sorted-doubles ^doubles [^java.util.ArrayList xs]
  (let [a (double-array (.size xs))]
    (dotimes [i (alength a)] (aset a i (double (.get xs i))))
    (java.util.Arrays/sort a)
    a))

(defn- array-quantile [^doubles sorted q]
  (when (pos? (alength sorted))
    (aget sorted (min (dec (alength sorted)) (int (Math/floor (* (double q) (alength sorted))))))))

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
        bucket (fn ^long [^long ns] (max 0 (min (dec n) (long (Math/floor (/ (/ (double ns) 1e9) w))))))
        counts (java.util.HashMap.)      ; [f type] -> long[] of completions per bucket
        latencies (java.util.HashMap.)]  ; f -> ArrayList per bucket of latencies (ms)
    (doseq [[f t start end] (completed pairs)]
      (let [^longs c (or (.get counts [f t]) (let [a (long-array n)] (.put counts [f t] a) a))
            b (bucket end)]
        (aset c b (inc (aget c b))))
      (let [^objects per-bucket (or (.get latencies f) (let [a (object-array n)] (.put latencies f a) a))
            b (bucket start)
            ^java.util.ArrayList xs (or (aget per-bucket b) (let [l (java.util.ArrayList.)] (aset per-bucket b l) l))]
        (.add xs (/ (- (double end) (double start)) 1e6))))
    {:bucket-s w
     :x (mapv #(* w (+ % 0.5)) (range n))
     :throughput (vec (for [[[f t] ^longs c] (sort-by (fn [[[f t]]] [(name f) (name t)]) counts)]
                        {:f (name f) :type (name t) :y (mapv #(/ (double %) w) c)}))
     :latency (vec (for [[f ^objects per-bucket] (sort-by (comp name key) latencies)
                         :let [sorted (mapv #(when % (sorted-doubles %)) per-bucket)]
                         q quantiles]
                     {:f (name f) :q q :y (mapv #(when % (array-quantile % q)) sorted)}))}))
