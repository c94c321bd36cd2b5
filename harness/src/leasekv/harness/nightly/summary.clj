(ns leasekv.harness.nightly.summary
  "The nightly's summary: one map (see `summary`) written as summary.json and summary.md in the
  nightly's directory, rewritten after every run, so a nightly that is killed half way still
  leaves what it had found. Runs are linked by paths relative to that directory."
  (:require [clojure.data.json :as json]
            [clojure.java.io :as io]
            [clojure.string :as str])
  (:import (java.io File)
           (java.nio.file Path Paths)))

(def verdicts
  "Every verdict a planned run can have, in the order the summary counts them."
  ["valid" "invalid" "unknown" "crashed" "aborted" "pending"])

(defn verdict-of
  "Takes a run's results map. Returns its verdict: valid, invalid, unknown, crashed or aborted."
  [results]
  (let [v (:valid? results)]
    (cond (:aborted? results) "aborted"
          (true? v) "valid"
          (false? v) "invalid"
          (= :crashed v) "crashed"
          :else "unknown")))

(defn exit-code
  "Takes the outcomes of the runs. Returns the nightly's exit code: 255 when a run crashed, else
  1 when one was invalid, else 2 when one was unknown, aborted or never ran, else 0."
  [outcomes]
  (let [vs (set (map :verdict outcomes))]
    (cond (vs "crashed") 255
          (vs "invalid") 1
          (or (vs "unknown") (vs "aborted") (vs "pending")) 2
          :else 0)))

(defn counts
  "Returns a map of verdict -> number of outcomes with it (every verdict present, 0 when none)."
  [outcomes]
  (merge (zipmap verdicts (repeat 0)) (frequencies (map :verdict outcomes))))

(defn- ->path ^Path [^String s] (.normalize (.toAbsolutePath (Paths/get s (make-array String 0)))))

(defn relative-path
  "Returns the path of `target` relative to the directory `from` (both path strings), with /."
  [from target]
  (str/replace (str (.relativize (->path from) (->path target))) File/separator "/"))

(defn duration-str
  "Returns seconds as a short text: 45 s, 3 min 05 s, 2 h 07 min."
  [secs]
  (let [s (long (Math/round (double secs)))]
    (cond (< s 60) (str s " s")
          (< s 3600) (format "%d min %02d s" (quot s 60) (rem s 60))
          :else (format "%d h %02d min" (quot s 3600) (quot (rem s 3600) 60)))))

(defn summary
  "Takes the nightly's facts ({:id :started :finished :slot :options :dimensions :estimated-seconds
  :dir}) and the planned cells, each with its outcome merged in once it ran (:verdict, :seconds,
  :ops, :run-dir absolute, :problems, :error). Returns the summary map written to disk."
  [{:keys [dir] :as facts} cells]
  (let [runs (mapv (fn [c]
                     (-> (merge {:verdict "pending"} c)
                         (update :run-dir #(some->> % (relative-path dir)))))
                   cells)]
    (-> (dissoc facts :dir)
        (assoc :complete (boolean (:finished facts))
               :planned-runs (count cells)
               :counts (counts runs)
               :exit-code (exit-code runs)
               :runs runs))))

(defn- md-cell [x] (str/replace (str (if (nil? x) "-" x)) "|" "\\|"))

(defn- verdict-md [v] (if (#{"valid" "pending"} v) v (str "**" (str/upper-case v) "**")))

(defn- run-row [{:keys [index workload nemesis fsm-sync-mode read-mode verdict ops seconds run-dir problems error]}]
  (str "| " (str/join " | " (map md-cell [index workload nemesis fsm-sync-mode read-mode]))
       " | " (verdict-md verdict)
       " | " (md-cell ops)
       " | " (md-cell (some-> seconds duration-str))
       " | " (if run-dir (str "[run](" run-dir "/) · [results.edn](" run-dir "/results.edn)") "-")
       " | " (md-cell (str/join "; " (remove str/blank? [(some->> (seq problems) (str/join ", ") (str "checkers: "))
                                                         error])))
       " |"))

(defn markdown
  "Returns summary.md's text for a summary map."
  [{:keys [id started finished slot planned-runs counts exit-code estimated-seconds dimensions runs options]}]
  (let [ran (- planned-runs (get counts "pending" 0))]
    (str/join
     "\n"
     (concat
      [(str "# Nightly correctness run " id)
       ""
       (str "**" (if (zero? exit-code) "PASSED" "FAILED") "**"
            (if finished "" " (so far: the nightly has not finished)")
            ": " ran " of " planned-runs " runs done; "
            (str/join ", " (for [v verdicts :let [n (get counts v 0)] :when (pos? n)] (str n " " v)))
            ". Exit code " exit-code ".")
       ""
       (str "- started " started (when finished (str ", finished " finished)))
       (str "- slot " slot ", estimated " (duration-str estimated-seconds) " in all")
       (str "- workloads: " (str/join ", " (:workloads dimensions)))
       (str "- nemeses: " (str/join "; " (:nemeses dimensions)))
       (str "- fsm sync modes: " (str/join ", " (map #(or % "-") (:fsm-sync-modes dimensions))))
       (str "- read modes: " (str/join ", " (map #(or % "-") (:read-modes dimensions))))
       (str "- options: `" (pr-str (into (sorted-map) options)) "`")
       ""
       "| # | workload | nemesis | fsm sync | read mode | verdict | ops | took | run | notes |"
       "|---|---|---|---|---|---|---|---|---|---|"]
      (map run-row runs)
      [""]))))

(defn write!
  "Writes summary.json and summary.md for a summary map into dir. Returns nil."
  [dir summary-map]
  (.mkdirs (io/file dir))
  (spit (io/file dir "summary.json")
        (with-out-str (json/pprint summary-map :key-fn #(if (keyword? %) (name %) (str %)))))
  (spit (io/file dir "summary.md") (markdown summary-map))
  nil)
