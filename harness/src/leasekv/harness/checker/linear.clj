(ns leasekv.harness.checker.linear
  "The only namespace that touches the Java linearizability checker (module checker, class
  leasekv.checker.Checker). Loaded lazily by leasekv.harness.checker/linearizable, so the rest of
  the harness compiles and runs without the jar.

  The Java checker takes our op maps as they are (Clojure keywords, vectors and [key value]
  tuples), splits independent keys itself, checks them in parallel within a time and memory
  budget (over-budget keys are :unknown, never an error) and explains each failure, including
  stale reads; its EDN result is read back into Clojure data."
  (:require [clojure.edn :as edn]
            [clojure.java.io :as io]
            [clojure.string :as str]
            [leasekv.harness.history :as h]
            [leasekv.harness.log :as log])
  (:import (leasekv.checker CheckOptions CheckResult Checker)))

(defonce ^{:doc "Where the Java checker was loaded from, and that jar's modification time when it
  was loaded: results name the checker version that judged them."}
  checker-jar
  (when-let [loc (some-> Checker .getProtectionDomain .getCodeSource .getLocation)]
    (let [f (io/file (.toURI loc))]
      {:path (.getPath f) :modified (str (java.time.Instant/ofEpochMilli (.lastModified f)))})))

(defn- preload-classes!
  "Loads every class of the checker jar now and returns how many. Other engineers reinstall that
  jar in ~/.m2 while tests run, and a class loaded lazily from a jar rewritten in place fails
  with NoClassDefFoundError; loaded up front, the whole checker is in memory before that."
  []
  (let [path (:path checker-jar)
        loader (.getClassLoader Checker)]
    (if (and path (str/ends-with? path ".jar"))
      (with-open [jar (java.util.jar.JarFile. ^String path)]
        (count (for [^java.util.jar.JarEntry e (enumeration-seq (.entries jar))
                     :let [n (.getName e)]
                     :when (and (str/ends-with? n ".class") (not (str/includes? n "-info")))
                     :when (try (Class/forName (str/replace (subs n 0 (- (count n) 6)) "/" ".") false loader)
                                (catch Throwable _ nil))]
                 n)))
      0)))

(defonce ^{:doc "The number of checker classes loaded when this namespace loaded."}
  preloaded-class-count
  (preload-classes!))

(defn options-edn
  "Takes harness options {:model kw, :time-limit-ms n, :independent :yes|:no|:auto,
  :parallelism n, :memory-limit-mb n}. Returns the Java checker's options as EDN text."
  [{:keys [model time-limit-ms independent parallelism memory-limit-mb]
    :or {model :cas-register time-limit-ms 120000 independent :auto}}]
  (pr-str (cond-> {:model model
                   :time-limit (/ time-limit-ms 1000.0)
                   :independent independent}
            parallelism (assoc :parallelism parallelism)
            memory-limit-mb (assoc :memory-limit-mb memory-limit-mb))))

(defn- lean
  "Drops the fields the checker never needs (exceptions), keeping what its reports quote."
  [op]
  (dissoc op :exception))

(defn check-ops
  "Takes harness options (see options-edn) and a history. Checks its client ops for
  linearizability. Returns the Java CheckResult."
  ^CheckResult [opts history]
  (let [checker (Checker. (CheckOptions/fromEdn (options-edn opts)))]
    (.check checker ^java.util.List (mapv lean (filter h/client-op? history)))))

(defn result->edn
  "Returns a CheckResult as Clojure data (unknown tags kept as tagged literals)."
  [^CheckResult result]
  (edn/read-string {:default tagged-literal} (.toEdn result)))

(defn check-register
  "Checker entry point (see leasekv.harness.checker/linearizable). Takes options, the test, the
  history and the check options. Returns the checker's result as data; when a key is invalid and
  the test has a :store-dir, writes one SVG diagram per invalid key under linear/ there and lists
  them in :diagrams."
  [opts test history _check-opts]
  (let [result (check-ops opts history)
        data (result->edn result)
        data (-> data
                 (update :results #(select-keys % (concat (:failures data) (take 20 (:unknown-keys data)))))
                 (assoc :checker-jar checker-jar))]
    (if (and (false? (:valid? data)) (:store-dir test))
      (let [dir (io/file (:store-dir test) "linear")
            files (try (mapv str (.writeSvgs result (.toPath dir)))
                       (catch Exception e (log/warn! "Could not write diagrams:" (.getMessage e)) []))]
        (assoc data :diagrams files))
      data)))
