(ns leasekv.harness.web.history
  "A stored history as the viewer needs it: read leniently (a crashed run may end in half a line),
  client invocations paired with their completions, and the nemesis's faults as intervals.

  Times stay in nanoseconds since the test started, as in history.edn."
  (:require [clojure.edn :as edn]
            [clojure.java.io :as io]
            [clojure.string :as str]
            [leasekv.harness.net :as net])
  (:import (java.io BufferedReader)))

(defrecord EdnText [text])

(defn read-history-leniently
  "Reads a history.edn, one op map per line. Never throws on a bad line: it is skipped and
  counted. Returns {:ops [op ...] :bad-lines n :first-bad-line line-number-or-nil}; an absent
  file gives no ops."
  [file]
  (let [f (io/file file)]
    (if-not (.isFile f)
      {:ops [] :bad-lines 0 :first-bad-line nil}
      (with-open [^BufferedReader r (io/reader f)]
        (loop [line-no 1 ops (transient []) bad 0 first-bad nil]
          (if-let [line (.readLine r)]
            (if (str/blank? line)
              (recur (inc line-no) ops bad first-bad)
              (let [op (try (edn/read-string {:default tagged-literal} line) (catch Exception _ ::bad))]
                (if (map? op)
                  (recur (inc line-no) (conj! ops op) bad first-bad)
                  (recur (inc line-no) ops (inc bad) (or first-bad line-no)))))
            {:ops (persistent! ops) :bad-lines bad :first-bad-line first-bad}))))))

(defn read-history
  "Reads a history.edn: with the checker's fast reader when it is there and accepts the file,
  else line by line (see read-history-leniently). Client op values may be EdnText (their EDN,
  unparsed). Returns {:ops :bad-lines :first-bad-line}."
  [file]
  (let [f (io/file file)
        fast (when (.isFile f)
               (try (when-let [read-ops (requiring-resolve 'leasekv.harness.web.fast-history/read-ops)]
                      (read-ops (.getPath f)))
                    (catch Throwable _ nil)))]
    (if fast
      {:ops fast :bad-lines 0 :first-bad-line nil}
      (read-history-leniently f))))

(defn client-op? [op] (integer? (:process op)))

(defn pairs
  "Takes ops in history order. Returns the client operations in invocation order, each
  {:process p :f f :invoke op :complete op-or-nil}; a completion without an invocation is kept
  on its own (its :invoke is nil) so nothing in the history is silently dropped."
  [ops]
  (loop [ops (seq ops) open {} out (transient [])]
    (if-let [op (first ops)]
      (let [p (:process op)]
        (cond
          (not (client-op? op)) (recur (next ops) open out)
          (= :invoke (:type op))
          (let [slot (count out)]
            (recur (next ops) (assoc open p slot) (conj! out {:process p :f (:f op) :invoke op :complete nil})))
          :else
          (if-let [slot (get open p)]
            (recur (next ops) (dissoc open p) (assoc! out slot (assoc (get out slot) :complete op)))
            (recur (next ops) open (conj! out {:process p :f (:f op) :invoke nil :complete op})))))
      (persistent! out))))

(defn op-time
  "Returns a pair's start and end in nanoseconds: [invocation completion]; end is nil when the op
  never completed."
  [{:keys [invoke complete]}]
  [(:time (or invoke complete)) (:time complete)])

;; ---------------------------------------------------------------------------------------------
;; Nemesis

(def fault-starts
  "Nemesis :f -> the fault family it starts. Beyond these, :start-X starts family X."
  {:start-partition :partition
   :transfer-isolate :partition
   :kill :kill
   :kill-followers :kill
   :pause :pause
   :clock :clock
   :remove-voter :membership})

(def fault-stops
  "Nemesis :f -> the fault family it ends. Beyond these, :stop-X ends family X."
  {:stop-partition :partition
   :start :kill
   :resume :pause
   :clock-reset :clock
   :add-voter :membership})

(def observations
  "Nemesis ops that only record something (no fault): not drawn."
  #{:clock-states :digests})

(defn- family
  "The fault family an op starts, or nil."
  [f]
  (or (fault-starts f)
      (let [n (name f)] (when (and (str/starts-with? n "start-") (not (fault-stops f))) (keyword (subs n 6))))))

(defn- closes
  "The fault family an op ends, or nil."
  [f]
  (or (fault-stops f)
      (let [n (name f)] (when (str/starts-with? n "stop-") (keyword (subs n 5))))))

(defn- node-list [nodes] (str/join "," (sort nodes)))

(defn- grudge-summary
  "Describes a partition grudge {node #{nodes it drops}}: `n3 | n1,n2,n4,n5` for a clean split."
  [grudge]
  (net/describe (into {} (map (fn [[k v]] [k (set v)])) grudge)))

(defn- affected-nodes
  "Nodes a kill/pause completion reports as acted on, e.g. {\"n2\" :killed} -> [\"n2\"]."
  [value]
  (when (map? value)
    (seq (sort (for [[node outcome] value
                     :when (and (string? node) (#{:killed :paused :started :resumed} outcome))]
                 node)))))

(defn- truncate [s n] (let [s (str s)] (if (> (count s) n) (str (subs s 0 (- n 1)) "…") s)))

(defn fault-label
  "Returns a short description of a fault from its start op's :f, invocation and completion."
  [f inv done]
  (let [target (:value inv)
        v (:value done)
        kind (or (when (map? v) (:kind v)) (when (keyword? target) target))]
    (str (str/replace (name f) #"^start-" "")
         (when kind (str " " (name kind)))
         (cond (and (map? v) (map? (:grudge v))) (str ": " (grudge-summary (:grudge v)))
               (affected-nodes v) (str ": " (node-list (affected-nodes v)))
               (and (some? v) (not (keyword? v)) (not= v target)) (str ": " (truncate (pr-str v) 120))))))

(defn- nemesis-calls
  "Pairs the nemesis's ops: each :info op of an :f after a completed one is an invocation, the
  next op of the same :f its completion. Returns [{:f :invoke :complete}] in order."
  [ops]
  (loop [ops (seq ops) open nil out []]
    (if-let [op (first ops)]
      (cond (= :nemesis (:process op))
            (if (and open (= (:f open) (:f op)))
              (recur (next ops) nil (conj out {:f (:f op) :invoke open :complete op}))
              (recur (next ops) op (cond-> out open (conj {:f (:f open) :invoke open :complete nil}))))
            :else (recur (next ops) open out))
      (cond-> out open (conj {:f (:f open) :invoke open :complete nil})))))

(defn nemesis-activity
  "Takes ops in history order and the time the history ends (ns). Returns
  {:intervals [{:family kw :label s :start ns :on ns :off ns :end ns :open? bool}]
   :events [{:f kw :label s :time ns}]}. An interval runs from its start op's invocation (:start)
  and completion (:on) to its stop op's invocation (:off) and completion (:end): the fault was
  surely in force between :on and :off and perhaps from :start to :end. A fault never stopped runs
  to the final heal, or to the end of the history (:open? true). Ops that start and stop nothing
  (leadership transfer, heal) are events."
  [ops history-end]
  (let [calls (nemesis-calls ops)
        heal-time (some #(when (= :heal (:f %)) (:time (:invoke %))) calls)
        close-at (or heal-time history-end)
        t-of (fn [call k] (or (:time (get call k)) (:time (:invoke call))))
        finish (fn [iv] (assoc iv :off close-at :end close-at :open? true))]
    (loop [calls (seq calls) open {} intervals [] events []]
      (if-let [{:keys [f invoke complete] :as call} (first calls)]
        (cond
          (family f)
          (let [fam (family f)
                iv {:family fam :label (fault-label f invoke complete)
                    :start (t-of call :invoke) :on (t-of call :complete)}]
            (recur (next calls) (update open fam (fnil conj []) iv) intervals events))
          (and (closes f) (seq (get open (closes f))))
          (let [fam (closes f)
                closed (map #(assoc % :off (t-of call :invoke) :end (t-of call :complete) :open? false) (get open fam))]
            (recur (next calls) (dissoc open fam) (into intervals closed) events))
          (observations f) (recur (next calls) open intervals events)
          :else
          (recur (next calls) open intervals
                 (conj events {:f f :time (t-of call :invoke)
                               :label (str (name f) (when-some [v (:value complete)]
                                                      (when-not (map? v) (str " " (truncate (if (string? v) v (pr-str v)) 100)))))})))
        {:intervals (vec (sort-by :start (into intervals (map finish (mapcat val open)))))
         :events events}))))

(defn history-end
  "Returns the largest :time in ops (ns), or 0."
  [ops]
  (reduce (fn [m op] (if-let [t (:time op)] (max m (long t)) m)) 0 ops))
