(ns leasekv.harness.history
  "Histories: every invocation and completion of a test, in the order the harness saw them.

  An op is a map with :index (0, 1, 2, ... in history order), :time (nanoseconds since the test
  started), :process (an integer for clients, :nemesis for the nemesis), :type (:invoke, :ok,
  :fail or :info), :f and :value, plus any extra fields a client adds (:node, :error, ...).

  A recorder streams each op to history.edn as one EDN map per line (Jepsen's format) the moment
  it is recorded, and keeps the ops in one vector for the checkers, so a large history is held
  in memory once and a crashed run still leaves what it saw on disk."
  (:require [clojure.edn :as edn]
            [clojure.java.io :as io]
            [clojure.string :as str])
  (:import (java.io BufferedReader Writer)))

(defn edn-safe
  "Returns x with everything that would not read back as EDN turned into data: a throwable
  becomes {:class name :message text}, other unknown objects their string."
  [x]
  (cond
    (instance? Throwable x) {:class (.getName (class x)) :message (.getMessage ^Throwable x)}
    (map-entry? x) [(edn-safe (key x)) (edn-safe (val x))]
    (record? x) (into {} (map (fn [[k v]] [k (edn-safe v)])) x)
    (map? x) (into (if (sorted? x) (sorted-map) {}) (map (fn [[k v]] [(edn-safe k) (edn-safe v)])) x)
    (vector? x) (mapv edn-safe x)
    (set? x) (into (if (sorted? x) (sorted-set) #{}) (map edn-safe) x)
    (sequential? x) (mapv edn-safe x)
    (or (nil? x) (string? x) (keyword? x) (symbol? x) (number? x) (boolean? x) (char? x)
        (uuid? x) (inst? x)) x
    :else (str x)))

(defn op->edn
  "Returns the EDN line (without newline) for an op, its fields in Jepsen's order."
  [op]
  (let [front [:index :time :type :process :f :value]
        ordered (concat (keep #(when (contains? op %) [% (get op %)]) front)
                        (sort-by (comp str key) (apply dissoc op front)))]
    (binding [*print-namespace-maps* false *print-length* nil *print-level* nil]
      (str "{" (str/join ", " (map (fn [[k v]] (str (pr-str k) " " (pr-str (edn-safe v)))) ordered)) "}"))))

(defrecord Recorder [lock ^Writer writer ops])

(defn recorder
  "Takes the path of the history.edn to write (nil: keep the history in memory only).
  Returns a new, empty recorder."
  [path]
  (->Recorder (Object.) (when path (io/make-parents path) (io/writer path)) (atom [])))

(defn record!
  "Appends op to the history, giving it the next :index, and writes it to disk.
  Returns the op as recorded."
  [{:keys [lock ^Writer writer ops]} op]
  (locking lock
    (let [op (assoc op :index (count @ops))]
      (swap! ops conj op)
      (when writer (.write writer (str (op->edn op) "\n")) (.flush writer))
      op)))

(defn ops
  "Returns the recorded ops, a vector in :index order."
  [recorder]
  @(:ops recorder))

(defn close!
  "Flushes and closes the history file. Returns nil."
  [{:keys [lock ^Writer writer]}]
  (locking lock (when writer (.close writer)))
  nil)

(defn read-history
  "Reads a history.edn (one op map per line). Returns the vector of ops. Throws ex-info naming
  the file and line of the first line that is not an EDN map."
  [path]
  (with-open [^BufferedReader r (io/reader path)]
    (->> (line-seq r)
         (map-indexed vector)
         (remove #(str/blank? (second %)))
         (mapv (fn [[i line]]
                 (let [op (try (edn/read-string line)
                               (catch Exception e
                                 (throw (ex-info (str path ":" (inc i) ": not EDN: " (.getMessage e))
                                                 {:type :bad-history :line (inc i)} e))))]
                   (when-not (map? op)
                     (throw (ex-info (str path ":" (inc i) ": not an op map") {:type :bad-history :line (inc i)})))
                   op))))))

(defn client-op? [op] (integer? (:process op)))
(defn invoke? [op] (= :invoke (:type op)))

(defn pair-index
  "Takes a history. Returns a map from each invocation's :index to its completion op (absent when
  the process never completed it, e.g. the test stopped first)."
  [history]
  (loop [ops (seq history) open {} pairs (transient {})]
    (if-let [op (first ops)]
      (let [p (:process op)]
        (if (invoke? op)
          (recur (next ops) (assoc open p op) pairs)
          (if-let [inv (get open p)]
            (recur (next ops) (dissoc open p) (assoc! pairs (:index inv) op))
            (recur (next ops) open pairs))))
      (persistent! pairs))))

(defn completions
  "Returns the history's completed ops (not invocations), each with :latency (nanoseconds from
  its invocation) and :invoke-time."
  [history]
  (let [pairs (pair-index history)]
    (keep (fn [op]
            (when (invoke? op)
              (when-let [c (get pairs (:index op))]
                (assoc c :latency (- (:time c) (:time op)) :invoke-time (:time op)))))
          history)))
