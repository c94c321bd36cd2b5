(ns leasekv.harness.store
  "Where runs are kept: results/<test-name>/<timestamp>/ holds history.edn, results.edn, test.edn
  (the test's options), harness.log and <node>/ with each node's logs. results/latest and
  results/<test-name>/latest point at the newest run."
  (:require [clojure.edn :as edn]
            [clojure.java.io :as io]
            [clojure.pprint :as pprint]
            [clojure.string :as str]
            [leasekv.harness.history :as h])
  (:import (java.io File)
           (java.nio.file Files LinkOption Path Paths)
           (java.nio.file.attribute FileAttribute)
           (java.time LocalDateTime)
           (java.time.format DateTimeFormatter)))

(def ^:private stamp-format (DateTimeFormatter/ofPattern "yyyyMMdd'T'HHmmss.SSS"))

(defn timestamp "Returns the current local time as a directory name." []
  (.format (LocalDateTime/now) stamp-format))

(defn run-dir
  "Returns the run directory (a path string) for a test name and timestamp under root."
  [root test-name stamp]
  (str root "/" test-name "/" stamp))

(defn path ^String [test & parts] (str/join "/" (cons (:store-dir test) parts)))

(defn- ->path ^Path [^String s] (Paths/get s (make-array String 0)))

(defn- relink! [^String link-path ^String target]
  (let [link (->path link-path)]
    (Files/deleteIfExists link)
    (Files/createSymbolicLink link (->path target) (make-array FileAttribute 0))))

(defn- key-rank [k]
  (cond (= :valid? k) [0 ""] (keyword? k) [1 (str k)] (number? k) [2 (double k)] :else [3 (pr-str k)]))

(def ^:private result-key-order
  (comparator (fn [a b] (neg? (compare (key-rank a) (key-rank b))))))

(defn readable-order
  "Returns x with every map sorted for reading: :valid? first, then keywords alphabetically,
  then numbers, then anything else."
  [x]
  (cond
    (map? x) (into (sorted-map-by result-key-order) (map (fn [[k v]] [k (readable-order v)])) x)
    (vector? x) (mapv readable-order x)
    (set? x) x
    (sequential? x) (mapv readable-order x)
    :else x))

(defn- write-edn! [file x]
  (io/make-parents file)
  (binding [*print-namespace-maps* false *print-length* nil *print-level* nil]
    (spit file (with-out-str (pprint/pprint (readable-order (h/edn-safe x)))))))

(defn prepare!
  "Takes a test with :results-root, :name and :store-dir. Creates the run directory, writes
  test.edn with the given options map and points the latest links at it. Returns nil."
  [test options]
  (let [dir (io/file (:store-dir test))]
    (.mkdirs dir)
    (write-edn! (io/file dir "test.edn") options)
    (let [root (:results-root test)
          rel-run (str (:name test) "/" (.getName dir))]
      (relink! (str root "/latest") rel-run)
      (relink! (str root "/" (:name test) "/latest") (.getName dir)))
    nil))

(defn save-results!
  "Writes results.edn into the test's run directory. Returns nil."
  [test results]
  (write-edn! (io/file (path test "results.edn")) results)
  nil)

(defn read-edn [file] (edn/read-string (slurp file)))

(defn run-dirs
  "Returns every stored run directory under root (those with a test.edn), oldest first."
  [root]
  (->> (file-seq (io/file root))
       (filter #(= "test.edn" (.getName ^File %)))
       (map #(.getParentFile ^File %))
       (remove #(Files/isSymbolicLink (.toPath ^File %)))
       (sort-by #(.getName ^File %))
       vec))

(defn resolve-run
  "Takes the results root and -t's argument: nil (the latest run), an integer index (0 = oldest,
  -1 = newest) or a path to a run directory. Returns the run directory (a File). Throws ex-info
  naming what was asked for when there is no such run."
  [root which]
  (let [dirs (run-dirs root)
        fail #(throw (ex-info (str "No stored run " %) {:type :no-such-run :which which}))]
    (cond
      (nil? which) (or (last dirs) (fail (str "under " root)))
      (re-matches #"-?[0-9]+" (str which))
      (let [i (parse-long (str which)) i (if (neg? i) (+ (count dirs) i) i)]
        (if (< -1 i (count dirs)) (dirs i) (fail (str "with index " which " (there are " (count dirs) ")"))))
      (.exists (io/file which "test.edn")) (.getCanonicalFile (io/file which))
      :else (fail (str "at " which " (no test.edn there)")))))
