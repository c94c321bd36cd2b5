(ns leasekv.harness.sensitivity
  "`lein run sensitivity`: proves the harness can see what it claims to check. For every unsafe
  mode of the store (each breaks exactly one safety rule) it runs the workload and fault schedule
  that must catch it, at most --runs runs of at most 60 s, stopping at the first invalid one; then
  it runs the same schedules against the safe store, in both fsm sync modes, where every run must
  be valid. It prints a table (mode, nemesis, caught, runs needed, seconds) and writes it as EDN
  and Markdown under results/sensitivity/<timestamp>/ (results/sensitivity/latest points there).
  Exit code 0 when every mode was caught and every safe run was valid, 1 otherwise.

  A mode that is not caught is a bug in the harness (the schedule does not reach the window the
  mode opens), not in the table."
  (:refer-clojure :exclude [run!])
  (:require [clojure.java.io :as io]
            [clojure.pprint :as pprint]
            [clojure.string :as str]
            [clojure.tools.cli :as tools-cli]
            [leasekv.harness.cli :as cli]
            [leasekv.harness.core :as core]
            [leasekv.harness.log :as log]
            [leasekv.harness.report :as report]
            [leasekv.harness.store :as store]
            [leasekv.harness.tests :as tests]
            [leasekv.harness.util :as util]))

;; ---------------------------------------------------------------------------------------------
;; The matrix

(def lease-options
  "Lease workload runs: every thread reads at its own node as fast as it can; short request
  timeouts so that writers leave a cut-off leader quickly."
  {:workload "lease" :rate 0.0 :concurrency "4n" :request-timeout-ms 400 :read-timeout-ms 2500 :key-period 3
   :linear-time-limit 15})

(def crash-options
  "Crash workload runs: appends at a modest rate (every node's JVM and lazyfs share two cores)."
  {:workload "crash" :rate 50.0 :concurrency "2n" :request-timeout-ms 1000})

(def modes
  "Unsafe mode -> the schedule that must catch it. :quick marks the fastest catchable ones, run by
  --quick (the test suite's end-to-end check)."
  [{:mode "no-lease-check"
    :schedule "pause-leader" :options lease-options
    :why "SIGSTOP the leader past an election timeout (a new leader is elected and takes writes) and cut it off from the other nodes meanwhile, SIGCONT: it still believes it leads and hears nothing otherwise until check-quorum deposes it; without a lease check nothing stops its reads"}
   {:mode "lease-exceeds-election-timeout"
    :schedule "pause-leader" :options lease-options :quick true
    :why "the same isolated pause: a 2 s lease is still valid on SIGCONT although a new leader was elected after 1-2 s and took writes, so the old leader serves lease reads until the lease runs out"}
   {:mode "lease-from-ack-receipt"
    :schedule "delayed-acks" :options lease-options
    :why "acks held 1 s by the delay proxy arrive after the leader was cut off; counted from their receipt they extend the lease past the followers' vote refusal"}
   {:mode "read-before-own-term-commit"
    :schedule "transfers-slow-appends" :options lease-options :quick true
    :why "appends (not heartbeats) held 100 ms, then transfers: the new leader has a lease from heartbeat acks about 200 ms before its own-term entry commits, and meanwhile it does not know that the old leader's last acknowledged write committed. With plain transfers that gap is one follower fsync, too short to hit reliably"}
   {:mode "applied-index-ahead-of-data"
    :schedule "power-loss-all-fsm" :options crash-options
    :why "power loss on every node's RocksDB directory: the synced applied index survives, the unsynced data batch after it does not, and replay skips it"}
   {:mode "compact-past-durable-applied"
    :schedule "power-loss-all-fsm" :options crash-options
    :why "the log is compacted past what RocksDB made durable; a power loss on the RocksDB directory rolls it back to entries the log no longer has"}
   {:mode "wal-no-fsync"
    :schedule "power-loss-all" :options crash-options
    :why "power loss on every node's WAL and RocksDB directories: acknowledged entries that were never fsynced vanish from every replica at once"}])

(defn safe-runs
  "The safe-store runs: every distinct schedule of the chosen modes, in each sync mode."
  [chosen sync-modes]
  (vec (for [[k entries] (group-by (juxt :schedule :options) chosen)
             sync-mode sync-modes]
         {:mode nil :fsm-sync-mode sync-mode :schedule (first k) :options (second k)
          :for-modes (mapv :mode entries)})))

;; ---------------------------------------------------------------------------------------------
;; Running

(defn- run-options
  "The test options of one run of the matrix."
  [base-opts {:keys [mode schedule options fsm-sync-mode]}]
  (merge base-opts options
         {:schedule schedule
          :name (str "sensitivity-" (or mode (str "safe-" fsm-sync-mode)) "-" schedule)}
         (when mode {:unsafe mode})
         (when fsm-sync-mode {:fsm-sync-mode fsm-sync-mode})))

(defn- run-once!
  "Runs one test. Returns {:valid? v :dir run-dir :seconds s}."
  [base-opts {:keys [mode schedule fsm-sync-mode] :as entry} attempt]
  (let [opts (run-options base-opts entry)
        t0 (System/nanoTime)
        result (try (core/run-test! (tests/build-test opts))
                    (catch Throwable t
                      (log/error! t "Sensitivity run crashed:" (or mode "safe") schedule)
                      {:results {:valid? :crashed :error (.getMessage t)}}))
        secs (util/nanos->secs (- (System/nanoTime) t0))]
    (log/info! (format "sensitivity: %s / %s, run %d: %s in %.0f s" (or mode (str "safe store, " fsm-sync-mode))
                       schedule attempt (pr-str (get-in result [:results :valid?])) secs))
    {:valid? (get-in result [:results :valid?]) :dir (:store-dir result) :seconds secs
     :aborted? (boolean (get-in result [:results :aborted?]))
     :summary (report/lines (:results result))}))

(defn run-mode!
  "Runs an unsafe mode up to max-runs times, stopping at the first invalid run. Returns its row."
  [base-opts entry max-runs]
  (loop [attempt 1 total 0.0 dirs []]
    (let [{:keys [valid? dir seconds summary aborted?]} (run-once! base-opts entry attempt)
          total (+ total seconds)
          dirs (conj dirs dir)]
      (if (or (false? valid?) aborted? (>= attempt max-runs))
        {:mode (:mode entry) :workload (get-in entry [:options :workload]) :schedule (:schedule entry)
         :caught? (false? valid?) :runs attempt :seconds (Math/round total) :runs-dirs dirs
         :aborted? aborted? :evidence (when (false? valid?) (vec (take 3 summary)))}
        (recur (inc attempt) total dirs)))))

(defn run-safe!
  "Runs the safe store once on a schedule. Returns its row."
  [base-opts entry]
  (let [{:keys [valid? dir seconds summary aborted?]} (run-once! base-opts entry 1)]
    {:mode (str "safe store (" (:fsm-sync-mode entry) ")") :workload (get-in entry [:options :workload])
     :schedule (:schedule entry) :valid? valid? :runs 1 :seconds (Math/round (double seconds)) :runs-dirs [dir]
     :aborted? aborted?
     :for-modes (:for-modes entry) :problems (when-not (true? valid?) (vec (take 5 summary)))}))

;; ---------------------------------------------------------------------------------------------
;; The table

(defn- yes-no [b] (if b "yes" "no"))

(defn table-rows
  "Takes the result rows. Returns [header & rows] of strings."
  [rows]
  (into [["mode" "nemesis (workload + schedule)" "caught" "runs needed" "seconds"]]
        (for [r rows]
          [(:mode r) (str (:workload r) " + " (:schedule r))
           (if (contains? r :caught?) (yes-no (:caught? r)) (str "valid: " (yes-no (true? (:valid? r)))))
           (str (:runs r)) (str (:seconds r))])))

(defn markdown
  "Returns the rows as a Markdown table."
  [rows]
  (let [[header & body] (table-rows rows)
        line #(str "| " (str/join " | " %) " |")]
    (str/join "\n" (concat [(line header) (line (repeat (count header) "---"))] (map line body)))))

(defn text-table
  "Returns the rows as an aligned text table."
  [rows]
  (let [all (table-rows rows)
        widths (apply map (fn [& col] (apply max (map count col))) all)]
    (str/join "\n" (for [r all] (str/join "  " (map #(format (str "%-" %1 "s") %2) widths r))))))

(defn passed?
  "True when every unsafe mode was caught and every safe run was valid."
  [rows]
  (every? #(if (contains? % :caught?) (:caught? %) (true? (:valid? %))) rows))

(defn write-table!
  "Writes the table as EDN and Markdown under <root>/sensitivity/<stamp>/ and points
  <root>/sensitivity/latest at it. Returns the directory."
  [root rows meta]
  (let [dir (io/file root "sensitivity" (store/timestamp))
        data (assoc meta :passed? (passed? rows) :rows rows)]
    (.mkdirs dir)
    (spit (io/file dir "sensitivity.edn") (with-out-str (binding [*print-namespace-maps* false]
                                                           (pprint/pprint data))))
    (spit (io/file dir "sensitivity.md")
          (str "# Sensitivity matrix\n\n" (:started meta) ", " (:node-count meta) " nodes, at most "
               (:max-runs meta) " runs of at most " (:time-limit meta) " s per unsafe mode"
               (when (:quick meta) " (quick subset)") ".\n\n" (markdown rows) "\n"))
    (let [link (.toPath (io/file root "sensitivity" "latest"))]
      (java.nio.file.Files/deleteIfExists link)
      (java.nio.file.Files/createSymbolicLink link (.toPath (io/file (.getName dir)))
                                              (make-array java.nio.file.attribute.FileAttribute 0)))
    dir))

;; ---------------------------------------------------------------------------------------------
;; Command line

(def own-options
  [[nil "--quick" "Only the fastest catchable modes (and the safe store on their schedules, nosync only)"]
   [nil "--modes NAMES" "Comma-separated unsafe modes to run (default: all seven)"]
   [nil "--runs N" "At most this many runs per unsafe mode" :default 3 :parse-fn parse-long
    :validate [#(<= 1 % 10) "--runs must be 1..10"]]
   [nil "--sync-modes MODES" "fsm sync modes for the safe-store runs (comma-separated; `none` to skip them)"
    :default "sync,nosync"]])

(def options
  (into own-options
        (remove #(#{"--workload NAME" "--nemesis FAULTS" "--schedule NAME" "--unsafe MODES" "--test-count N"
                    "--name NAME" "--fsm-sync-mode MODE"} (second %))
                (map (fn [o] (if (= "--time-limit SECONDS" (second o))
                               [nil "--time-limit SECONDS" "Seconds per run (at most 60)" :default 60
                                :parse-fn parse-long :validate [#(<= 1 % 60) "--time-limit must be 1..60"]]
                               o))
                     cli/test-options))))

(defn- choose [opts]
  (let [known (set (map :mode modes))
        wanted (some->> (:modes opts) (#(str/split % #",")) (map str/trim) (remove str/blank?))]
    (doseq [m wanted :when (not (known m))]
      (throw (ex-info (str "Unknown mode `" m "` in --modes; known: " (str/join ", " (map :mode modes)))
                      {:type :bad-option})))
    (cond->> modes
      wanted (filter #((set wanted) (:mode %)))
      (:quick opts) (filter :quick))))

(defn- sync-modes [opts]
  (let [s (str/trim (:sync-modes opts "sync,nosync"))]
    (cond (:quick opts) ["nosync"]
          (= "none" s) []
          :else (let [ms (vec (remove str/blank? (map str/trim (str/split s #","))))]
                  (doseq [m ms :when (not (#{"sync" "nosync"} m))]
                    (throw (ex-info (str "--sync-modes takes sync, nosync or none; got " m) {:type :bad-option})))
                  ms))))

(defn run!
  "Runs the matrix with parsed options. Returns {:rows :dir :passed?}."
  [opts]
  (let [chosen (vec (choose opts))
        safe (safe-runs chosen (sync-modes opts))
        base (-> (dissoc opts :quick :modes :runs :sync-modes) (assoc :test-count 1))
        started (str (java.time.LocalDateTime/now))
        ;; Every run is built (nothing is touched) first: a bad option is a usage error now, not a
        ;; crash of each run in turn.
        _ (doseq [entry (concat chosen safe)] (tests/build-test (run-options base entry)))
        _ (log/info! "Sensitivity matrix:" (count chosen) "unsafe modes, up to" (:runs opts) "runs each;"
                     (count safe) "safe-store runs")
        ;; After a Ctrl-C (a run comes back aborted) no further run starts: the JVM is shutting down.
        rows (reduce (fn [rows run]
                       (if (some :aborted? rows) (reduced rows) (conj rows (run))))
                     []
                     (concat (for [m chosen] #(run-mode! base m (:runs opts)))
                             (for [s safe] #(run-safe! base s))))
        dir (write-table! (:results-dir opts "results") rows
                          {:started started :quick (boolean (:quick opts)) :max-runs (:runs opts)
                           :time-limit (:time-limit opts) :node-count (count (str/split (:nodes opts) #","))
                           :why (into {} (map (juxt :mode :why) chosen))})]
    (log/info! (str "Sensitivity matrix:\n" (text-table rows)))
    (log/info! "Written to" (.getPath (io/file dir "sensitivity.md")))
    {:rows rows :dir dir :passed? (passed? rows)}))

(defn sensitivity-cmd
  "`lein run sensitivity [OPTIONS]`. Returns the exit code."
  [args]
  (let [{:keys [options errors summary]} (tools-cli/parse-opts args options)]
    (cond
      (:help options) (do (println "lein run sensitivity [OPTIONS]\n") (println summary) 0)
      errors (cli/fail-usage (str/join "\n" errors) "sensitivity")
      :else (if (:passed? (run! options)) 0 1))))
