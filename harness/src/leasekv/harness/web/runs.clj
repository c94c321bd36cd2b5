(ns leasekv.harness.web.runs
  "Finds the runs stored under a results root and sums each up for the viewer: test, workload,
  nemesis, date, duration, op count and a verdict category (valid, invalid, unknown, crashed, or
  running while a run without results.edn is still writing).

  Only cheap reads: test.edn, results.edn and, when results.edn lacks the figures, the history
  itself (its last line for the duration, a line count for the op count)."
  (:require [clojure.edn :as edn]
            [clojure.java.io :as io]
            [clojure.string :as str])
  (:import (java.io File RandomAccessFile)
           (java.nio.file Files)
           (java.time Instant LocalDateTime ZoneId)
           (java.time.format DateTimeFormatter)))

(def running-grace-ms
  "A run without results.edn whose history or log changed this recently is taken as running."
  120000)

(defn run-dirs
  "Returns every run directory under root (a directory with a test.edn, not reached through a
  symbolic link), sorted by path. Does not descend into run directories."
  [root]
  (let [root (io/file root)]
    (letfn [(walk [^File dir depth]
              (cond (.isFile (io/file dir "test.edn")) [dir]
                    (>= depth 4) []
                    :else (mapcat #(walk % (inc depth))
                                  (sort (filter #(and (.isDirectory ^File %)
                                                      (not (Files/isSymbolicLink (.toPath ^File %)))
                                                      (not= "viewer" (.getName ^File %)))
                                                (.listFiles dir))))))]
      (if (.isDirectory root) (vec (walk root 0)) []))))

(defn relative-path
  "Returns the path of file relative to root, with forward slashes."
  [root file]
  (let [r (.toPath (.getCanonicalFile (io/file root)))
        f (.toPath (.getCanonicalFile (io/file file)))]
    (str/replace (str (.relativize r f)) File/separator "/")))

(defn read-edn-file
  "Reads an EDN file. Returns {:value v} or {:error \"why\"}; {:missing? true} when absent."
  [file]
  (let [f (io/file file)]
    (if-not (.isFile f)
      {:missing? true}
      (try {:value (edn/read-string {:default tagged-literal} (slurp f))}
           (catch Exception e {:error (str (.getName f) " is not readable EDN: " (.getMessage e))})))))

(def ^:private stamp-format (DateTimeFormatter/ofPattern "yyyyMMdd'T'HHmmss.SSS"))
(def ^:private shown-format (DateTimeFormatter/ofPattern "yyyy-MM-dd HH:mm:ss"))

(defn run-date
  "Returns the run's start as a LocalDateTime: from its directory name (the harness names runs
  by their start time), else from test.edn's modification time."
  ^LocalDateTime [^File dir]
  (try (LocalDateTime/parse (.getName dir) stamp-format)
       (catch Exception _
         (LocalDateTime/ofInstant (Instant/ofEpochMilli (.lastModified (io/file dir "test.edn")))
                                  (ZoneId/systemDefault)))))

(defn format-date [^LocalDateTime d] (.format d shown-format))

(defn- last-line
  "Returns the last complete, non-blank line of a file (reading at most its last 64 KiB), or nil."
  [^File f]
  (when (and (.isFile f) (pos? (.length f)))
    (with-open [raf (RandomAccessFile. f "r")]
      (let [len (.length raf)
            n (int (min len 65536))
            buf (byte-array n)]
        (.seek raf (- len n))
        (.readFully raf buf)
        (let [lines (str/split-lines (String. buf "UTF-8"))
              lines (if (str/ends-with? (String. buf "UTF-8") "\n") lines (butlast lines))]
          (last (remove str/blank? lines)))))))

(defn history-duration-s
  "Returns the time of the history's last op in seconds, or nil."
  [dir]
  (when-let [line (last-line (io/file dir "history.edn"))]
    (when-let [[_ t] (re-find #":time (\d+)" line)]
      (/ (parse-long t) 1e9))))

(defn count-client-invocations
  "Counts the client invocations in a history.edn by scanning its lines (no parsing)."
  [dir]
  (let [f (io/file dir "history.edn")]
    (if-not (.isFile f)
      0
      (with-open [r (io/reader f)]
        (count (filter #(and (str/includes? % ":type :invoke") (not (str/includes? % ":process :nemesis")))
                       (line-seq r)))))))

(defn- recently-modified? [dir now-ms]
  (some #(let [f (io/file dir %)]
           (and (.exists f) (< (- now-ms (.lastModified f)) running-grace-ms)))
        ["history.edn" "harness.log" "test.edn"]))

(defn unknown-reason
  "The first reason a results map gives for an undecided verdict: an :error, or a :reason (such
  as a search over its time limit), of a checker result that is not valid. nil if none."
  [results]
  (letfn [(walk [x depth]
            (when (and (map? x) (< depth 6) (not (true? (:valid? x))))
              (or (some #(when (string? (% x)) (% x)) [:error :reason])
                  (some #(walk % (inc depth)) (vals x)))))]
    (walk results 0)))

(defn verdict
  "Takes a run directory and what reading its results.edn gave (see read-edn-file). Returns
  {:verdict :valid|:invalid|:unknown|:crashed|:running :note text-or-nil}."
  [dir {:keys [value error missing?]} now-ms]
  (cond
    missing? (if (recently-modified? dir now-ms)
               {:verdict :running :note "no results.edn yet: the run is still going"}
               {:verdict :crashed :note "no results.edn: the harness crashed or was killed"})
    error {:verdict :crashed :note error}
    (not (map? value)) {:verdict :crashed :note "results.edn is not a map"}
    (:aborted? value) {:verdict :crashed :note (str "aborted" (when-let [e (:error value)] (str ": " e)))}
    (= :crashed (:valid? value)) {:verdict :crashed :note (:error value)}
    (true? (:valid? value)) {:verdict :valid}
    (false? (:valid? value)) {:verdict :invalid}
    :else {:verdict :unknown :note (unknown-reason value)}))

(def ^:private notable-options
  "Options shown beside the workload and nemesis when set (they change what a run tests)."
  [:unsafe :etcd-serializable :read-mode :fsm-sync-mode :leasekv-routing :partitions :remote])

(def ^:private default-partitions "random-halves,isolate-leader,majorities-ring,bridge,one-way")

(defn summary
  "Takes the results root and a run directory. Returns the run's summary map:
  :rel (path under root) :test :stamp :date :options :results (nil if unreadable) :verdict
  :note :workload :nemesis :db :tags :duration-s :op-count."
  ([root dir] (summary root dir (System/currentTimeMillis)))
  ([root ^File dir now-ms]
   (let [opts (let [r (read-edn-file (io/file dir "test.edn"))] (when (map? (:value r)) (:value r)))
         res (read-edn-file (io/file dir "results.edn"))
         results (when (map? (:value res)) (:value res))
         {:keys [verdict note]} (verdict dir res now-ms)]
     {:dir dir
      :rel (relative-path root dir)
      :test (or (:name opts) (.getName (.getParentFile dir)))
      :stamp (.getName dir)
      :date (run-date dir)
      :options opts
      :results results
      :verdict verdict
      :note note
      :workload (some-> (:workload opts) name)
      :nemesis (some-> (:nemesis opts) name)
      :db (some-> (or (:db opts) "leasekv") name)
      :tags (vec (for [k notable-options
                       :let [v (get opts k)]
                       :when (and (some? v) (not (false? v))
                                  (not (and (= k :leasekv-routing) (= "every-node-reads" v)))
                                  (not (and (= k :remote) (= "local" v)))
                                  (not (and (= k :partitions) (= v default-partitions))))]
                   (if (true? v) (name k) (str (name k) " " v))))
      :duration-s (or (get-in results [:perf :duration-s]) (history-duration-s dir))
      :op-count (or (get-in results [:stats :count]) (count-client-invocations dir))})))
