(ns leasekv.harness.nightly
  "`lein run nightly`: the correctness matrix. Every combination of workload x nemesis (a fault
  set) x fsm sync mode x read mode runs as one ordinary test (stored under results/ like any
  other run), one after the other on the same cluster (local namespaces of this process's
  LEASEKV_SLOT, or the VMs of --nodes-file). The workloads and faults default to everything the
  harness has registered (leasekv.harness.tests/workloads, leasekv.harness.nemesis/faults), so
  a new workload or fault joins the matrix without a change here. A nemesis is a fault set
  (`partition,kill`) or a named schedule (`schedule:isolate-leader`, see
  leasekv.harness.nemesis.schedules); named schedules run only when asked for.

  The summary goes to <results-dir>/nightly/<timestamp>/summary.md and summary.json (see
  leasekv.harness.nightly.summary), rewritten after every run; <results-dir>/nightly/latest
  points at the newest. Exit code: 255 when a run crashed, else 1 when one was invalid, else 2
  when one was unknown (or aborted, or never ran), else 0."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.tools.cli :as tools-cli]
            [leasekv.harness.cli :as cli]
            [leasekv.harness.core :as core]
            [leasekv.harness.history :as h]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.schedules :as schedules]
            [leasekv.harness.nightly.summary :as summary]
            [leasekv.harness.slot :as slot]
            [leasekv.harness.store :as store]
            [leasekv.harness.tests :as tests])
  (:import (java.nio.file Files Paths)
           (java.nio.file.attribute FileAttribute)
           (java.time Instant)))

;; ---------------------------------------------------------------------------------------------
;; The registries

(defn registered-workloads
  "Returns the names of every workload the harness knows, sorted."
  []
  (sort (keys tests/workloads)))

(defn registered-faults
  "Returns the names of every fault the harness's nemesis knows, sorted."
  []
  (let [fs nemesis/faults]
    (sort (map name (if (map? fs) (keys fs) fs)))))

(defn default-nemeses
  "Returns the default nemesis dimension: each registered fault alone, then all of them together."
  []
  (let [fs (registered-faults)]
    (cond-> (vec fs) (> (count fs) 1) (conj (str/join "," fs)))))

(def fsm-sync-modes ["sync" "nosync"])
(def read-modes ["lease" "read-index"])

(def default-time-limit-secs
  "Seconds per run unless --time-limit says otherwise: short enough for the whole default
  matrix in a night, long enough for several faults at the default interval."
  30)

(def default-nemesis-interval-secs
  "Seconds between a fault's start and stop unless --nemesis-interval says otherwise: a run of
  30 s sees three faults."
  5.0)

(def setup-overhead-secs
  "What a run takes besides its time limit, for the first estimate: setup (5 JVMs, an election),
  final reads, log download, teardown and checking. About 15 s on an idle 2-core machine."
  25)

(def lazyfs-overhead-secs
  "What a run on lazyfs mounts (power loss) takes on top: two mount JVMs per node to start and
  stop, and each power loss remounts and restarts nodes. 50-90 s more measured here."
  70)

;; ---------------------------------------------------------------------------------------------
;; Options

(def ^:private dimension-options
  [[nil "--workloads NAMES" (str "Comma-separated workloads (default: every registered one, now "
                                 (str/join "," (registered-workloads)) ")")]
   [nil "--nemeses LIST" (str "Semicolon-separated fault sets or named schedules, e.g. "
                              "`partition;kill,pause;schedule:isolate-leader` (default: each registered "
                              "fault alone, then all together, now `" (str/join ";" (default-nemeses)) "`)")]
   [nil "--fsm-sync-modes MODES" "leasekv: comma-separated fsm sync modes" :default "sync,nosync"]
   [nil "--read-modes MODES" "leasekv: comma-separated read modes" :default "lease,read-index"]
   [nil "--budget-minutes MINUTES" "Refuse to start when the estimated total time is longer"
    :parse-fn parse-double :validate [pos? "--budget-minutes must be positive"]]
   [nil "--dry-run" "Print the plan and the estimate; run nothing"]])

(def ^:private replaced-test-options
  #{"--workload NAME" "--nemesis FAULTS" "--schedule NAME" "--read-mode MODE" "--fsm-sync-mode MODE"
    "--test-count N" "--name NAME" "--help"})

(def ^:private nightly-defaults
  {"--time-limit SECONDS" default-time-limit-secs
   "--nemesis-interval SECONDS" default-nemesis-interval-secs})

(defn- with-nightly-default
  "Takes a tools.cli option vector. Returns it with the nightly's own default, if it has one."
  [[short-opt long-opt desc & kvs :as spec]]
  (if-let [d (get nightly-defaults long-opt)]
    (into [short-opt long-opt desc] cat (assoc (apply array-map kvs) :default d))
    spec))

(def options
  "The nightly's options: the matrix's dimensions plus every `lein run test` option that is not
  a dimension (--time-limit is per run; it and --nemesis-interval have the nightly's defaults)."
  (-> dimension-options
      (into (comp (remove #(replaced-test-options (second %))) (map with-nightly-default)) cli/test-options)
      (conj ["-h" "--help" "Show this help"])))

;; ---------------------------------------------------------------------------------------------
;; The plan

(defn- bad-option [msg] (throw (ex-info msg {:type :bad-option})))

(defn- split-list [s sep option]
  (let [xs (->> (str/split (str s) sep) (map str/trim) (remove str/blank?) distinct vec)]
    (if (seq xs) xs (bad-option (str option " names nothing")))))

(defn- check-each [xs allowed option]
  (doseq [x xs :when (not (some #{x} allowed))]
    (bad-option (str "Unknown value `" x "` in " option "; known: " (str/join ", " allowed))))
  xs)

(def schedule-prefix "schedule:")

(defn- parse-nemesis
  "Takes one --nemeses entry. Returns it normalised: `schedule:NAME` for a named schedule, else
  the fault set sorted and comma-separated (`none` for no faults)."
  [s]
  (try (if (str/starts-with? s schedule-prefix)
         (let [n (str/trim (subs s (count schedule-prefix)))]
           (schedules/schedule n)
           (str schedule-prefix n))
         (let [fs (nemesis/parse-faults s)]
           (if (seq fs) (str/join "," (sort (map name fs))) "none")))
       (catch clojure.lang.ExceptionInfo e
         (bad-option (str (.getMessage e) " (in --nemeses `" s "`)")))))

(defn- needed-db
  "Returns the DB a workload is written for (its :needs-db), or nil when it runs on any."
  [opts workload-name]
  (try (:needs-db ((get tests/workloads workload-name) (assoc opts :concurrency 10)))
       (catch Exception _ nil)))

(defn- check-db [workloads opts]
  (doseq [w workloads
          :let [needs (needed-db opts w)]
          :when (and needs (not= needs (:db opts "leasekv")))]
    (bad-option (str "The " w " workload needs --db " needs)))
  workloads)

(defn dimensions
  "Takes parsed nightly options. Returns {:workloads :nemeses :fsm-sync-modes :read-modes}, each
  a vector of names (fault sets normalised: sorted, comma-separated). By default the workloads
  are every registered one that runs on the chosen DB. For a DB other than leasekv the two mode
  dimensions are [nil]: they are leasekv's options. Throws ex-info {:type :bad-option} naming the
  first unknown value."
  [opts]
  (let [db (:db opts "leasekv")
        leasekv? (= "leasekv" db)]
    {:workloads (if-let [w (:workloads opts)]
                  (check-db (check-each (split-list w #"," "--workloads") (registered-workloads) "--workloads") opts)
                  (vec (remove #(some-> (needed-db opts %) (not= db)) (registered-workloads))))
     :nemeses (vec (distinct (map parse-nemesis (if-let [n (:nemeses opts)]
                                                  (split-list n #";" "--nemeses")
                                                  (default-nemeses)))))
     :fsm-sync-modes (if leasekv?
                       (check-each (split-list (:fsm-sync-modes opts "sync,nosync") #"," "--fsm-sync-modes")
                                   fsm-sync-modes "--fsm-sync-modes")
                       [nil])
     :read-modes (if leasekv?
                   (check-each (split-list (:read-modes opts "lease,read-index") #"," "--read-modes")
                               read-modes "--read-modes")
                   [nil])}))

(defn cell-options
  "Returns the `lein run test` options of one cell: the nightly's options with this workload,
  nemesis and modes, and a name that tells the cells apart."
  [opts {:keys [workload nemesis fsm-sync-mode read-mode]}]
  (let [o (-> (dissoc opts :workloads :nemeses :fsm-sync-modes :read-modes :budget-minutes :dry-run :help)
              (assoc :workload workload :test-count 1)
              (as-> o (if (str/starts-with? nemesis schedule-prefix)
                        (assoc o :schedule (subs nemesis (count schedule-prefix)))
                        (assoc o :nemesis nemesis)))
              (cond-> fsm-sync-mode (assoc :fsm-sync-mode fsm-sync-mode)
                      read-mode (assoc :read-mode read-mode)))]
    (assoc o :name (str/join "-" (remove nil? [(tests/test-name o) fsm-sync-mode read-mode])))))

(defn- on-lazyfs?
  "True when the cell's test puts nodes on lazyfs mounts (built, not run; false when it cannot be
  built, which the run itself will report)."
  [cell-opts]
  (try (boolean (seq (:lazyfs-dirs (tests/build-test cell-opts))))
       (catch Exception _ false)))

(defn plan
  "Takes parsed nightly options. Returns the cells to run, in order: maps with :index (from 1),
  :workload, :nemesis, :fsm-sync-mode, :read-mode, :name and :estimated-seconds."
  [opts]
  (let [{:keys [workloads nemeses fsm-sync-modes read-modes]} (dimensions opts)]
    (vec (map-indexed
          (fn [i cell]
            (let [o (cell-options opts cell)]
              (assoc cell :index (inc i) :name (:name o)
                     :estimated-seconds (+ (:time-limit opts 0) setup-overhead-secs
                                           (if (on-lazyfs? o) lazyfs-overhead-secs 0)))))
          (for [w workloads, n nemeses, f fsm-sync-modes, r read-modes]
            {:workload w :nemesis n :fsm-sync-mode f :read-mode r})))))

(defn estimate-secs
  "Returns the estimated seconds the planned cells take together."
  [cells]
  (reduce + 0 (map :estimated-seconds cells)))

;; ---------------------------------------------------------------------------------------------
;; Running

(defn- path-of [^String s] (Paths/get s (make-array String 0)))

(defn latest-run-dir
  "Returns the run directory <root>/<name>/latest points at, if it was created at or after
  since-millis (so it is the run just attempted, not an older one), else nil."
  [root test-name since-millis]
  (let [link (path-of (str root "/" test-name "/latest"))]
    (when (Files/isSymbolicLink link)
      (let [dir (.toFile (.resolveSibling link (Files/readSymbolicLink link)))]
        (when (and (.isDirectory dir) (>= (.lastModified dir) (- since-millis 1000)))
          (.getPath dir))))))

(defn- problem-checkers
  "Returns the names of the checkers whose verdict is not true, sorted."
  [results]
  (sort (for [[k v] results :when (and (map? v) (contains? v :valid?) (not (true? (:valid? v))))]
          (name k))))

(defn run-cell!
  "Runs one cell as an ordinary test. Returns its outcome: {:verdict :seconds :ops :run-dir
  :problems :error}. A crash is an outcome too (verdict crashed), never an exception."
  [opts cell]
  (let [o (cell-options opts cell)
        t0 (System/nanoTime)
        started (System/currentTimeMillis)
        secs #(/ (- (System/nanoTime) t0) 1e9)]
    (try
      (let [t (core/run-test! (tests/build-test o))
            results (:results t)]
        {:verdict (summary/verdict-of results) :seconds (secs) :run-dir (:store-dir t)
         :ops (count (h/ops (:history t))) :problems (problem-checkers results)
         :error (:error results)})
      (catch Throwable e
        (log/error! e "Nightly run crashed:" (:name o))
        {:verdict "crashed" :seconds (secs) :error (str (.getName (class e)) ": " (.getMessage e))
         :run-dir (latest-run-dir (:results-dir o "results") (:name o) started)}))))

(defn- now-str [] (str (Instant/now)))

(defn- describe-cell [{:keys [workload nemesis fsm-sync-mode read-mode]}]
  (str/join " / " (remove nil? [workload nemesis fsm-sync-mode read-mode])))

(defn- relink-latest! [nightly-root dir-name]
  (let [link (path-of (str nightly-root "/latest"))]
    (Files/deleteIfExists link)
    (Files/createSymbolicLink link (path-of dir-name) (make-array FileAttribute 0))))

(defn run-plan!
  "Runs the cells one after the other with run-cell (a function of a cell returning its outcome),
  rewriting the summary in facts' :dir after each. Stops early after an aborted run (Ctrl-C).
  Returns the final summary map."
  [facts cells run-cell]
  (let [n (count cells)
        write! (fn [done finished?]
                 (let [s (summary/summary (cond-> facts finished? (assoc :finished (now-str)))
                                          (into (vec done) (drop (count done) cells)))]
                   (summary/write! (:dir facts) s)
                   s))]
    (write! [] false)
    (loop [done [] walls []]
      (let [cell (get cells (count done))]
        (if (or (nil? cell) (= "aborted" (:verdict (peek done))))
          (let [s (write! done true)]
            (log/info! "Nightly summary:" (str (:dir facts) "/summary.md"))
            (doseq [r (:runs s)]
              (log/info! (format "  %3d %-60s %s" (:index r) (describe-cell r) (:verdict r))))
            (log/info! "Counts:" (pr-str (into (sorted-map) (remove (comp zero? val) (:counts s))))
                       "-> exit" (:exit-code s))
            s)
          (do
            (log/info! (str "[nightly] run " (:index cell) "/" n ": " (describe-cell cell)))
            (let [outcome (run-cell cell)
                  done (conj done (merge cell outcome))
                  walls (conj walls (:seconds outcome 0))
                  left (- n (count done))]
              (write! done false)
              (log/info! (str "[nightly] " (count done) "/" n " done: " (:name cell) " " (:verdict outcome)
                              " in " (summary/duration-str (:seconds outcome 0))
                              (when (pos? left)
                                (str "; about " (summary/duration-str (* left (/ (reduce + walls) (count walls))))
                                     " left"))))
              (recur done walls))))))))

;; ---------------------------------------------------------------------------------------------
;; The command

(defn- print-plan [cells opts estimate]
  (log/info! "Nightly plan:" (count cells) "runs of" (:time-limit opts) "s each, slot" slot/slot
             (str "(" (if (pos? slot/slot) (str "namespaces " (slot/prefix) "-n*") "LEASEKV_SLOT 0") ")"))
  (doseq [c cells]
    (log/info! (format "  %3d %s" (:index c) (describe-cell c))))
  (let [lazyfs-runs (count (filter #(> (:estimated-seconds %) (+ (:time-limit opts) setup-overhead-secs)) cells))]
    (log/info! "Estimated total:" (summary/duration-str estimate)
               (str "(" (count cells) " x (" (:time-limit opts) " s + ~" setup-overhead-secs
                    " s setup, final reads, teardown and checking)"
                    (when (pos? lazyfs-runs) (str ", and ~" lazyfs-overhead-secs " s more for each of the "
                                                  lazyfs-runs " runs on lazyfs"))
                    ")"))))

(defn- nightly! [opts cells estimate]
  (let [id (store/timestamp)
        root (str (:results-dir opts "results") "/nightly")
        dir (str root "/" id)
        facts {:id id :started (now-str) :slot slot/slot :dir dir :estimated-seconds estimate
               :options (apply dissoc opts [:help :dry-run])
               :dimensions (dimensions opts)}
        finished (promise)
        hook (Thread. ^Runnable (fn [] (deref finished 240000 nil)) "leasekv-nightly-shutdown")]
    (.mkdirs (io/file dir))
    (relink-latest! root id)
    (log/info! "Nightly summary goes to" (str dir "/summary.md"))
    ;; On Ctrl-C the harness's own hook aborts the current run; this one keeps the JVM alive
    ;; until the loop has stored that run and written the final summary.
    (.addShutdownHook (Runtime/getRuntime) hook)
    (try
      (:exit-code (run-plan! facts cells #(run-cell! opts %)))
      (finally
        (deliver finished true)
        (try (.removeShutdownHook (Runtime/getRuntime) hook) (catch IllegalStateException _ nil))))))

(defn nightly-cmd
  "`lein run nightly [OPTIONS]`. Returns the exit code."
  [args]
  (let [{:keys [options errors summary]} (tools-cli/parse-opts args options)]
    (cond
      (:help options) (do (println "lein run nightly [OPTIONS]\n") (println summary) 0)
      errors (cli/fail-usage (str/join "\n" errors) "nightly")
      :else
      (let [cells (plan options)
            ;; Every cell is built (nothing is touched) first: a bad option is a usage error now,
            ;; not a crash of each run in turn.
            _ (doseq [cell cells] (tests/build-test (cell-options options cell)))
            estimate (estimate-secs cells)
            budget (:budget-minutes options)]
        (print-plan cells options estimate)
        (cond
          (and budget (> estimate (* 60 budget)))
          (cli/fail-usage (str "The estimate (" (summary/duration-str estimate) ") exceeds --budget-minutes "
                           budget "; choose fewer workloads, nemeses or modes, or a shorter --time-limit")
                      "nightly")
          (:dry-run options) 0
          :else (nightly! options cells estimate))))))
