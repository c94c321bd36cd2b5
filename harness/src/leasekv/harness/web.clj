(ns leasekv.harness.web
  "The results viewer: results/index.html listing every run, a page per run (<run>/index.html
  with its data in <run>/view-data.js), and `lein run serve` to browse them on localhost.

  Pages are static files that also work from file://. Their scripts and styles are one bundle,
  viewer.js and viewer.css, built from viewer/src (see docs/viewer.md) and copied into
  <results-root>/viewer/ when a results directory other than results/ is used.

  Regeneration: after every run (core/run-test! calls after-run!), by `lein run index`, and by
  `lein run serve` at start and whenever a page older than its run's files is requested."
  (:require [clojure.data.json :as json]
            [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.tools.cli :as tools-cli]
            [leasekv.harness.log :as log]
            [leasekv.harness.usage :as usage]
            [leasekv.harness.web.failures :as failures]
            [leasekv.harness.web.history :as wh]
            [leasekv.harness.web.html :as html]
            [leasekv.harness.web.index-page :as index-page]
            [leasekv.harness.web.run-page :as run-page]
            [leasekv.harness.web.runs :as runs]
            [leasekv.harness.web.series :as series]
            [leasekv.harness.web.server :as server])
  (:import (java.io File)
           (java.nio.file CopyOption Files StandardCopyOption)
           (java.util Arrays)))

(def viewer-version
  "Bumped whenever generated pages change shape, so older pages are rebuilt."
  "7")

(def ^:private generator-marker (str "leasekv-viewer " viewer-version))

(def page-files
  "The files the viewer generates in a run directory."
  ["index.html" "view-data.js"])

(defn- write-atomically!
  "Writes text to file through a temporary file and a rename, so a browser or a concurrent
  harness never sees half a page."
  [^File file ^String text]
  (io/make-parents file)
  (let [tmp (File/createTempFile (str "." (.getName file)) ".tmp" (.getParentFile file))]
    (try (spit tmp text :encoding "UTF-8")
         (Files/move (.toPath tmp) (.toPath file)
                     (into-array CopyOption [StandardCopyOption/REPLACE_EXISTING StandardCopyOption/ATOMIC_MOVE]))
         (finally (.delete tmp)))))

(defn- with-marker [^String page] (str/replace-first page "content=\"leasekv-viewer\"" (str "content=\"" generator-marker "\"")))

;; ---------------------------------------------------------------------------------------------
;; Assets

(defn assets-source
  "Where the built viewer.js and viewer.css are: $LEASEKV_VIEWER_ASSETS, else results/viewer
  under the working directory (the repository root for `lein run` and `lein test`)."
  ^File []
  (io/file (or (System/getenv "LEASEKV_VIEWER_ASSETS") "results/viewer")))

(def asset-files ["viewer.js" "viewer.css"])

(defn ensure-assets!
  "Makes sure root/viewer/ holds the current viewer.js and viewer.css, copying them from
  assets-source when they differ. Returns true when the assets are in place."
  [root]
  (let [src (assets-source)
        dst (io/file root "viewer")]
    (cond
      (and (.isDirectory src) (.isDirectory dst) (= (.getCanonicalFile src) (.getCanonicalFile dst))) true
      (every? #(.isFile (io/file src %)) asset-files)
      (do (doseq [a asset-files
                  :let [from (io/file src a) to (io/file dst a)]
                  :when (not (and (.isFile to) (Arrays/equals (Files/readAllBytes (.toPath from)) (Files/readAllBytes (.toPath to)))))]
            (io/make-parents to)
            (io/copy from to))
          true)
      (every? #(.isFile (io/file dst %)) asset-files) true
      :else (do (log/warn! "Viewer assets not found in" (.getPath src) "- pages will lack the timeline and charts;"
                           "build them with viewer/build.sh")
                false))))

;; ---------------------------------------------------------------------------------------------
;; Run pages

;; The timeline's columns are long arrays: written as JSON arrays of integers, without boxing.
(extend (Class/forName "[J")
  json/JSONWriter
  {:-write (fn [^longs a ^Appendable out _options]
             (.append out "[")
             (dotimes [i (alength a)]
               (when (pos? i) (.append out ","))
               (.append out (Long/toString (aget a i))))
             (.append out "]"))})

(defn- camel [k]
  (let [[head & more] (str/split (if (keyword? k) (name k) (str k)) #"-")]
    (apply str head (map str/capitalize more))))

(defn- micros [nanos] (when nanos (quot (long nanos) 1000)))

(defn- round3 [x] (when x (/ (Math/round (* 1000.0 (double x))) 1000.0)))

(defn concurrency
  "The number of client threads a run's options describe (--concurrency N or Nn, N per node),
  or nil when they do not say."
  [options]
  (let [nodes (count (remove str/blank? (str/split (str (:nodes options "n1,n2,n3,n4,n5")) #",")))]
    (when-let [[_ n per-node] (re-matches #"([0-9]+)(n?)" (str/trim (str (:concurrency options "2n"))))]
      (let [c (cond-> (parse-long n) (seq per-node) (* nodes))] (when (pos? c) c)))))

(defn view-data
  "The run page's data (what view-data.js assigns to window.LKV_RUN): the timeline columns,
  fault intervals and events (microseconds), perf series and the ops to mark."
  [summary report pairs end-ns nemesis]
  (let [sorted (series/sort-pairs pairs)
        timeline (series/timeline-columns sorted)
        perf (series/perf-series pairs end-ns)]
    {:test (:test summary) :stamp (:stamp summary) :verdict (name (:verdict summary))
     :end-us (micros end-ns)
     :concurrency (concurrency (:options summary))
     :timeline (update timeline :columns
                       (fn [cols] (into {} (remove (fn [[_ ^longs v]] (every? #(= -1 %) v))) cols)))
     :nemesis {:intervals (vec (for [iv (:intervals nemesis)]
                                 {:family (name (:family iv)) :label (:label iv) :start (micros (:start iv))
                                  :on (micros (:on iv)) :off (micros (:off iv)) :end (micros (:end iv)) :open (:open? iv)}))
               :events (vec (for [e (:events nemesis)] {:label (:label e) :time (micros (:time e))}))}
     :perf (-> perf
               (update :x #(mapv round3 %))
               (update :throughput (fn [ss] (mapv #(update % :y (partial mapv round3)) ss)))
               (update :latency (fn [ss] (mapv #(update % :y (partial mapv round3)) ss))))
     :marked (series/marked-rows sorted (:marked-ops report))}))

(defn root-path
  "The relative path from a run directory back to the results root, e.g. \"../..\"."
  [root dir]
  (let [depth (count (str/split (runs/relative-path root dir) #"/"))]
    (str/join "/" (repeat depth ".."))))

(defn generate-run!
  "Builds the page of one run: <dir>/index.html and <dir>/view-data.js. Returns
  {:dir :ops (history lines) :elapsed-ms :cpu-ms (this thread's) :page-bytes :data-bytes}."
  [root dir]
  (let [t0 (System/nanoTime)
        cpu0 (.getCurrentThreadCpuTime (java.lang.management.ManagementFactory/getThreadMXBean))
        dir (io/file dir)
        summary (runs/summary root dir)
        {:keys [ops] :as read} (wh/read-history (io/file dir "history.edn"))
        pairs (wh/pairs ops)
        end-ns (wh/history-end ops)
        summary (cond-> summary (nil? (:duration-s summary)) (assoc :duration-s (/ end-ns 1e9)))
        report (failures/report dir (:results summary))
        nemesis (wh/nemesis-activity ops end-ns)
        data (str "window.LKV_RUN = "
                  (html/script-json (json/write-str (view-data summary report pairs end-ns nemesis) :key-fn camel))
                  ";\n")
        page (with-marker (run-page/render summary report pairs read (root-path root dir)))]
    (write-atomically! (io/file dir "view-data.js") data)
    (write-atomically! (io/file dir "index.html") page)
    {:dir (.getPath dir) :ops (count ops) :elapsed-ms (/ (- (System/nanoTime) t0) 1e6)
     :cpu-ms (/ (- (.getCurrentThreadCpuTime (java.lang.management.ManagementFactory/getThreadMXBean)) cpu0) 1e6)
     :page-bytes (count (.getBytes ^String page "UTF-8")) :data-bytes (count (.getBytes ^String data "UTF-8"))}))

(defn- head-of ^String [^File f]
  (with-open [in (io/input-stream f)]
    (let [buf (byte-array 1024) n (.read in buf)] (if (pos? n) (String. buf 0 n "UTF-8") ""))))

(defn run-page-stale?
  "True when a run's page is missing, older than any of its run's files, or from another viewer
  version."
  [dir]
  (let [page (io/file dir "index.html")
        data (io/file dir "view-data.js")
        inputs (concat (map #(io/file dir %) ["history.edn" "results.edn" "test.edn"]) [(io/file dir "linear")])]
    (or (not (.isFile page)) (not (.isFile data))
        (not (str/includes? (head-of page) (str "content=\"" generator-marker "\"")))
        (let [built (min (.lastModified page) (.lastModified data))]
          (some #(and (.exists ^File %) (> (.lastModified ^File %) built)) inputs)))))

;; ---------------------------------------------------------------------------------------------
;; Index

(defonce ^:private summary-cache (atom {}))

(defn- cache-key [^File dir]
  (vec (for [n ["results.edn" "history.edn" "test.edn" "harness.log"]
             :let [f (io/file dir n)]]
         [(.lastModified f) (.length f)])))

(defn- cached-summary
  "A run's summary, recomputed only when its files changed (or while it may still be running)."
  [root ^File dir]
  (let [k (cache-key dir)
        hit (get @summary-cache (.getPath dir))]
    (if (and hit (= k (:key hit)) (not= :running (:verdict (:summary hit))))
      (:summary hit)
      (let [s (dissoc (runs/summary root dir) :results)]
        (swap! summary-cache assoc (.getPath dir) {:key k :summary s})
        s))))

(defn generate-index!
  "Writes root/index.html listing every run. Returns the number of runs listed."
  [root]
  (let [summaries (mapv #(cached-summary root %) (runs/run-dirs root))]
    (ensure-assets! root)
    (write-atomically! (io/file root "index.html") (with-marker (index-page/render summaries)))
    (count summaries)))

(defn regenerate!
  "Rebuilds every run page that is stale (all of them with :all? true), then the index. A run
  whose page cannot be built is logged and skipped. Returns {:runs n :built n :failed n}."
  [root {:keys [all?]}]
  (ensure-assets! root)
  (let [dirs (runs/run-dirs root)
        outcomes (doall (for [d dirs :when (or all? (run-page-stale? d))]
                          (try (generate-run! root d) :built
                               (catch Throwable t (log/warn! "Could not build the page of" (.getPath ^File d) ":" (str t)) :failed))))
        n (generate-index! root)]
    {:runs n :built (count (filter #{:built} outcomes)) :failed (count (filter #{:failed} outcomes))}))

(defn after-run!
  "Called at the end of every test run: builds the run's page and the index. Never throws (a
  broken viewer must not fail a test); problems are logged. Returns nil."
  [{:keys [results-root store-dir]}]
  (when (and results-root store-dir)
    (try (ensure-assets! results-root)
         (let [{:keys [elapsed-ms]} (generate-run! results-root store-dir)]
           (generate-index! results-root)
           (log/info! (format "Viewer: %s/index.html (built in %.0f ms)" store-dir elapsed-ms)))
         (catch Throwable t (log/warn! "Could not build the viewer pages:" (str t)))))
  nil)

;; ---------------------------------------------------------------------------------------------
;; Serving

(def ^:private generation-lock (Object.))

(defn- before-serve
  "Refreshes what a request is about to read: the index (at most once a second) and a run's page
  when it is stale."
  [^File root-file last-index ^File f]
  (let [root-file (.getCanonicalFile root-file)
        target (if (.isDirectory f) (io/file f "index.html") f)
        parent (.getParentFile (.getCanonicalFile target))
        name (.getName target)]
    (locking generation-lock
      (cond
        (and (= parent root-file) (= "index.html" name))
        (when (> (- (System/currentTimeMillis) @last-index) 1000)
          (generate-index! root-file)
          (reset! last-index (System/currentTimeMillis)))
        (and (some #{name} page-files) (.isFile (io/file parent "test.edn")) (run-page-stale? parent))
        (generate-run! root-file parent)))))

(defn serve!
  "Regenerates the index (and any stale run pages), then serves root on bind:port. Returns the
  running HttpServer."
  [{:keys [root port bind]}]
  (let [root-file (io/file root)]
    (.mkdirs root-file)
    (let [{:keys [runs built failed]} (regenerate! root {})
          last-index (atom (System/currentTimeMillis))
          srv (server/start! {:root root :port port :bind bind
                              :before-serve #(before-serve root-file last-index %)
                              :log-fn #(log/warn! %)})]
      (log/info! (format "Viewer: %d runs (%d pages rebuilt%s) in %s" runs built
                         (if (pos? failed) (str ", " failed " failed") "") (.getPath root-file)))
      srv)))

;; ---------------------------------------------------------------------------------------------
;; Commands

(def serve-options
  [["-p" "--port PORT" "Port to listen on" :default 8080 :parse-fn parse-long
    :validate [#(and % (<= 0 % 65535)) "must be a port number (0-65535)"]]
   ["-b" "--bind ADDRESS" "Address to listen on (127.0.0.1: this machine only)" :default "127.0.0.1"]
   [nil "--results-dir DIR" "The results directory to serve" :default "results"]
   ["-h" "--help" "Show this help"]])

(def index-options
  [[nil "--results-dir DIR" "The results directory" :default "results"]
   [nil "--all" "Rebuild every run page, not only missing or outdated ones"]
   ["-h" "--help" "Show this help"]])


(defn index-cmd
  "`lein run index`: rebuilds results/index.html and the run pages that are missing or outdated.
  Returns the exit code."
  [args]
  (let [{:keys [options errors summary]} (tools-cli/parse-opts args index-options)]
    (cond (:help options) (do (println "lein run index [OPTIONS]\n") (println summary) 0)
          errors (usage/fail! (str/join "\n" errors) "index")
          :else (let [root (:results-dir options)
                      t0 (System/nanoTime)
                      {:keys [runs built failed]} (regenerate! root {:all? (:all options)})]
                  (log/info! (format "Viewer: %s/index.html lists %d runs; %d run pages rebuilt%s in %.1f s" root runs built
                                     (if (pos? failed) (str ", " failed " failed") "") (/ (- (System/nanoTime) t0) 1e9)))
                  (if (pos? failed) 1 0)))))

(defn serve-cmd
  "`lein run serve [-p 8080] [-b 127.0.0.1]`: serves the results directory until interrupted.
  Returns the exit code (only on a usage error or when the port is taken)."
  [args]
  (let [{:keys [options errors summary]} (tools-cli/parse-opts args serve-options)]
    (cond (:help options) (do (println "lein run serve [OPTIONS]\n") (println summary) 0)
          errors (usage/fail! (str/join "\n" errors) "serve")
          :else
          (let [srv (try (serve! {:root (:results-dir options) :port (:port options) :bind (:bind options)})
                         (catch java.net.BindException e
                           (binding [*out* *err*]
                             (println (str "Error: cannot listen on " (:bind options) ":" (:port options) ": " (.getMessage e))))
                           nil))]
            (if-not srv
              usage/invalid-arguments ; another --port or --bind is the fix
              (let [port (.getPort (.getAddress ^com.sun.net.httpserver.HttpServer srv))]
                (when-not (#{"127.0.0.1" "localhost" "::1"} (:bind options))
                  (log/warn! "Listening on" (:bind options) "- anyone who can reach this address can read the results"))
                (log/info! (str "Serving " (:results-dir options) " at http://" (:bind options) ":" port "/ (Ctrl-C stops)"))
                @(promise)))))))
