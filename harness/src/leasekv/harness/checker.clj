(ns leasekv.harness.checker
  "Checkers judge a history. Each returns a map whose :valid? is true, false or :unknown; compose
  runs several and merges them: false beats :unknown, which beats true.

  Checkers here: stats (counts per :f), unhandled-exceptions, perf (throughput and latency
  quantiles), set (lost and phantom elements), independent (a checker per key) and linearizable
  (the Java checker from the checker module, loaded only when used)."
  (:require [leasekv.harness.history :as h]
            [leasekv.harness.independent :as independent]
            [leasekv.harness.log :as log]
            [leasekv.harness.util :as util]))

(defprotocol Checker
  (check [checker test history opts]
    "Takes the test map, the history (a vector of ops in :index order) and options. Returns a
    map with at least :valid? (true, false or :unknown)."))

(defn merge-valid
  "Merges validities: false if any is false, else :unknown if any is :unknown (or anything other
  than true/false), else true. No validities at all: true."
  [valids]
  (reduce (fn [acc v]
            (cond (or (false? acc) (false? v)) false
                  (or (= :unknown acc) (not (true? v))) :unknown
                  :else true))
          true valids))

(defn check-safe
  "Runs a checker, turning an exception into {:valid? :unknown :error ...} so one broken checker
  cannot hide the others' verdicts."
  [checker test history opts]
  (try (check checker test history opts)
       (catch Throwable t
         (log/error! t "Checker failed")
         {:valid? :unknown :error (str (.getName (class t)) ": " (.getMessage t))})))

(defn compose
  "Takes a map of name -> checker. Returns a checker that runs them all (in parallel) and returns
  a map of name -> result plus the merged :valid?."
  [checkers]
  (reify Checker
    (check [_ test history opts]
      (let [names (keys checkers)
            results (zipmap names (util/real-pmap #(check-safe (checkers %) test history opts) names))]
        (assoc results :valid? (merge-valid (map :valid? (vals results))))))))

(defn- client-completions [history]
  (filter #(and (h/client-op? %) (not (h/invoke? %))) history))

(defn stats
  "Counts ok, fail and info completions per :f. Invalid when some :f never succeeded (as Jepsen
  does: a workload that never gets an op through has tested nothing)."
  []
  (reify Checker
    (check [_ _ history _]
      (let [per-f (reduce (fn [m op] (update-in m [(:f op) (:type op)] (fnil inc 0)))
                          (sorted-map) (client-completions history))
            summary (into (sorted-map)
                          (for [[f counts] per-f]
                            [f (let [ok (:ok counts 0) fail (:fail counts 0) info (:info counts 0)]
                                 {:count (+ ok fail info) :ok-count ok :fail-count fail :info-count info
                                  :valid? (pos? ok)})]))
            totals (reduce (fn [t {:keys [count ok-count fail-count info-count]}]
                             (merge-with + t {:count count :ok-count ok-count :fail-count fail-count
                                              :info-count info-count}))
                           {:count 0 :ok-count 0 :fail-count 0 :info-count 0} (vals summary))]
        (merge totals {:by-f summary :valid? (every? :valid? (vals summary))})))))

(defn unhandled-exceptions
  "Lists the exceptions clients threw, grouped by class with a count and an example op.
  Informational: always valid."
  []
  (reify Checker
    (check [_ _ history _]
      (let [ops (filter :exception (client-completions history))
            groups (group-by #(get-in % [:exception :class]) ops)]
        {:valid? true
         :exceptions (vec (for [[cls ops] (sort-by (comp - count val) groups)]
                            {:class cls :count (count ops) :example (dissoc (first ops) :exception)
                             :message (get-in (first ops) [:exception :message])}))}))))

(defn quantiles
  "Takes sorted numbers and quantiles (0..1). Returns a map quantile -> value (nearest rank)."
  [sorted qs]
  (let [v (vec sorted) n (count v)]
    (if (zero? n) {}
        (into (sorted-map) (for [q qs] [q (v (min (dec n) (long (Math/floor (* q n)))))])))))

(defn perf
  "Summarises performance: client ops completed, throughput (ops/s over the run) and latency
  quantiles in milliseconds per :f and outcome. Always valid."
  []
  (reify Checker
    (check [_ _ history _]
      (let [cs (filter h/client-op? (h/completions history))
            times (map :time history)
            duration-s (if (seq times) (util/nanos->secs (- (apply max times) (apply min times))) 0)
            lat (fn [ops] (let [ms (sort (map #(util/nanos->millis (:latency %)) ops))]
                            (merge {:count (count ms)}
                                   (update-vals (quantiles ms [0.5 0.9 0.95 0.99 1.0])
                                                #(Double/parseDouble (util/fraction-str 2 %))))))]
        {:valid? true
         :duration-s (Double/parseDouble (util/fraction-str 1 duration-s))
         :ops (count cs)
         :throughput-ops-per-s (if (pos? duration-s) (Double/parseDouble (util/fraction-str 1 (/ (count cs) duration-s))) 0)
         :ok-throughput-ops-per-s (if (pos? duration-s)
                                    (Double/parseDouble (util/fraction-str 1 (/ (count (filter #(= :ok (:type %)) cs)) duration-s)))
                                    0)
         :latency-ms (into (sorted-map)
                           (for [[[f t] ops] (group-by (juxt :f :type) cs)]
                             [(keyword (str (name f) "-" (name t))) (lat ops)]))}))))

(defn- limited [n xs] (let [xs (vec (sort xs))] (if (> (count xs) n) (conj (subvec xs 0 n) '...) xs)))

(defn set-checker
  "Checks a set workload: :add ops with unique values and a final :read whose :value is the
  elements present (a set, or a list read as it is stored). Lost: acknowledged adds missing from
  the final read. Unexpected: read elements that were never added. Duplicates: elements a list
  holds more than once (every add is unique, so a repeat is a write applied twice, e.g. a retried
  write whose de-duplication failed). Recovered: indeterminate adds that are present. Valid when
  nothing is lost, unexpected or duplicated; :unknown without a successful final read."
  []
  (reify Checker
    (check [_ _ history _]
      (let [ops (filter h/client-op? history)
            adds (filter #(= :add (:f %)) ops)
            attempted (set (map :value (filter h/invoke? adds)))
            ok (set (map :value (filter #(= :ok (:type %)) adds)))
            info (set (map :value (filter #(= :info (:type %)) adds)))
            final (last (filter #(and (= :read (:f %)) (= :ok (:type %))) ops))]
        (if-not final
          {:valid? :unknown :error "no successful final read" :attempt-count (count attempted)}
          (let [read (set (:value final))
                lost (remove read ok)
                unexpected (remove attempted read)
                duplicates (keep (fn [[x n]] (when (> n 1) x)) (frequencies (:value final)))
                recovered (filter read info)]
            {:valid? (and (empty? lost) (empty? unexpected) (empty? duplicates))
             :attempt-count (count attempted)
             :acknowledged-count (count ok)
             :read-count (count read)
             :lost-count (count lost) :lost (limited 100 lost)
             :unexpected-count (count unexpected) :unexpected (limited 100 unexpected)
             :duplicate-count (count duplicates) :duplicates (limited 100 duplicates)
             :recovered-count (count recovered)
             :indeterminate-count (count info)
             :final-read-index (:index final)}))))))

(defn resends
  "Counts the writes a client re-sent after an attempt that may have been applied (ops with
  :resends, recorded by the leasekv client): each was kept single only by the store's REQ
  de-duplication, so a run with none did not test it. Informational: always valid."
  []
  (reify Checker
    (check [_ _ history _]
      (let [ops (filter #(and (h/client-op? %) (not (h/invoke? %)) (pos? (:resends % 0))) history)]
        {:valid? true
         :resent-op-count (count ops)
         :resend-count (reduce + 0 (map :resends ops))
         :by-outcome (into (sorted-map) (update-vals (group-by #(str (name (:f %)) "-" (name (:type %))) ops) count))}))))

(defn independent
  "Takes a checker for one key's history. Returns a checker for a history of [key value] tuples:
  it checks every key's subhistory (several keys at a time) and merges the verdicts. The result
  lists :failures (keys judged false), :unknown keys, and the full results of those keys only."
  [per-key-checker]
  (reify Checker
    (check [_ test history opts]
      (let [subs (independent/subhistories history)
            workers (max 1 (min 4 (.availableProcessors (Runtime/getRuntime))))
            results (into (sorted-map)
                          (apply concat
                                 (util/real-pmap
                                  (fn [chunk] (mapv (fn [[k sub]] [k (check-safe per-key-checker test sub (assoc opts :key k))])
                                                    chunk))
                                  (partition-all (max 1 (long (Math/ceil (/ (count subs) workers)))) subs))))
            failures (vec (keep (fn [[k r]] (when (false? (:valid? r)) k)) results))
            unknown (vec (keep (fn [[k r]] (when-not (boolean? (:valid? r)) k)) results))]
        {:valid? (merge-valid (map :valid? (vals results)))
         :key-count (count results)
         :failures failures
         :unknown unknown
         :results (select-keys results (concat failures (take 10 unknown)))}))))

(defn preload-linearizable!
  "Loads the Java checker now, if it is on the classpath, so that a later rebuild of its jar
  cannot break a running test. Returns true when it is available."
  []
  (try (boolean (requiring-resolve 'leasekv.harness.checker.linear/check-register))
       (catch Throwable t
         (log/warn! "Linearizability checker unavailable:" (.getMessage t))
         false)))

(defn linearizable
  "Returns a checker of one register's history for linearizability, done by the Java checker of
  the checker module (leasekv.harness.checker.linear). opts: {:model :cas-register,
  :time-limit-ms n}. The interop namespace loads on first use, so the harness works without it."
  [opts]
  (reify Checker
    (check [_ test history check-opts]
      (if-let [f (try (requiring-resolve 'leasekv.harness.checker.linear/check-register)
                      (catch Throwable t
                        (log/warn! "Linearizability checker unavailable:" (.getMessage t))
                        nil))]
        (f opts test history check-opts)
        {:valid? :unknown :error "the leasekv-checker jar is not on the classpath"}))))
