(ns leasekv.harness.sensitivity
  "`lein run sensitivity`: proves the harness can see what it claims to check. For every unsafe
  mode of the store (each breaks exactly one rule of docs/rules.md) it runs the workload and fault
  schedule that must catch it, at most --runs runs of at most 60 s, stopping at the first invalid
  one (--every-run: all of them, and the mode must be caught in two of three or better); then it
  runs the same schedules against the safe store, in both fsm sync modes, where every run must be
  valid. It prints a table (mode, rule, nemesis, caught, runs to catch, anomalies, seconds) and
  writes it as EDN and Markdown, with a line per run, under results/sensitivity/<timestamp>/
  (results/sensitivity/latest points there). Exit code 0 when every mode was caught and every
  safe run was valid, 1 otherwise.

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

(def set-options
  "Set workload runs (unique adds: a write applied twice shows as a repeated element)."
  {:workload "set" :rate 100.0 :concurrency "2n" :request-timeout-ms 2000})

(def modes
  "Unsafe mode -> the rule it breaks (docs/rules.md) and the schedule that must catch it. :quick
  marks the ones --quick runs (the test suite's end-to-end check): caught in their first run every
  time they were measured."
  [{:mode "no-lease-check" :rule "L1"
    :schedule "pause-leader" :options lease-options
    :why "SIGSTOP the leader past an election timeout (a new leader is elected and takes writes) and cut it off from the other nodes meanwhile, SIGCONT: it still believes it leads and hears nothing otherwise until check-quorum deposes it; without a lease check nothing stops its reads"}
   {:mode "lease-from-ack-receipt" :rule "L2"
    :schedule "delayed-acks" :options lease-options
    :why "acks held 1 s by the delay proxy arrive after the leader was cut off; counted from their receipt they extend the lease past the followers' vote refusal"}
   {:mode "lease-from-freshest-ack" :rule "L3"
    :schedule "leader-minority" :options lease-options
    :why "the leader and one follower cut off from the other three: that follower keeps acknowledging, so a lease run from the freshest ack never ends while the three elect a new leader and take writes"}
   {:mode "lease-exceeds-election-timeout" :rule "L4"
    :schedule "pause-leader" :options lease-options :quick true
    :why "the same isolated pause: a 2 s lease is still valid on SIGCONT although a new leader was elected after 1-2 s and took writes, so the old leader serves lease reads until the lease runs out"}
   {:mode "vote-within-lease" :rule "L5"
    :schedule "composed-vote-race" :options (assoc lease-options :request-timeout-ms 300)
    :why "two up-to-date followers cut from the leader campaign with fast clocks while the leader is isolated: the others, who heard the leader a moment ago, vote for them at once, and the new leader takes writes while the old one's lease runs"}
   {:mode "vote-right-after-restart" :rule "L6"
    :schedule "restart-followers-within-lease" :options lease-options
    :why "the leader cut off, every follower killed and restarted at once; with an 8 s election timeout the lease (6.5 s) outlasts a JVM restart (3-5 s), and followers that vote at once elect a new leader inside it"}
   {:mode "keep-lease-during-transfer" :rule "L7"
    :schedule "transfer-delayed-leader" :options lease-options
    :why "every message to the leader held 400 ms and leadership handed away at once: the target wins on TimeoutNow and takes writes while the old leader hears nothing of it for 400 ms; one that kept its lease serves from it meanwhile"}
   {:mode "read-before-own-term-commit" :rule "L9"
    :schedule "transfers-slow-appends" :options lease-options :quick true
    :why "appends (not heartbeats) held 100 ms, then transfers: the new leader has a lease from heartbeat acks about 200 ms before its own-term entry commits, and meanwhile it does not know that the old leader's last acknowledged write committed. With plain transfers that gap is one follower fsync, too short to hit reliably"}
   {:mode "lease-read-skips-apply-wait" :rule "L9"
    :schedule "stall-apply-transfer" :options lease-options
    :why "a follower's apply thread stalled and leadership handed to it: it holds commits the old leader acknowledged but has not applied them; a lease read that does not wait for its fence misses them"}
   {:mode "lease-check-on-process-clock" :rule "L10"
    :schedule "clock-step-pause-leader" :options lease-options
    :why "the leader's clock stepped 3 s forward, then the leader paused and cut off past an election timeout: anchored on the node clock and checked on the process clock, the lease lasts 3 s longer, so the woken leader serves lease reads while the new leader takes writes; paused, it cannot tick, so check-quorum does not depose it first (it did with the leader's clock at 2x)"}
   {:mode "applied-index-ahead-of-data" :rule "D1"
    :schedule "power-loss-all-fsm" :options crash-options
    :why "power loss on every node's RocksDB directory: the synced applied index survives, the unsynced data batch after it does not, and replay skips it"}
   {:mode "dedup-skipped" :rule "D2"
    :schedule "retried-writes" :options set-options
    :why "acks held past the client timeout: the client re-sends with the same REQ id while the first attempt is in flight, both commit, and a state machine that ignores the de-dup record adds the element twice"}
   {:mode "dedup-outside-batch" :rule "D2"
    :schedule "retried-writes-power-loss" :options set-options
    :why "re-sends in the log behind their first attempts, then a power loss that tears each state machine's last write: the de-dup record of the last batch is lost while its data stays, and the re-send applies again on replay"}
   {:mode "wal-no-fsync" :rule "D3"
    :schedule "power-loss-all" :options crash-options
    :why "power loss on every node's WAL and RocksDB directories: acknowledged entries that were never fsynced vanish from every replica at once"}
   {:mode "ack-before-sync" :rule "D3"
    :schedule "crash-before-sync" :options crash-options
    :why "the followers that alone make the leader's quorum crash right before their log sync: acks sent before it commit an entry they never wrote, and the leader elected after the old one is cut off does not have it"}
   {:mode "compact-past-durable-applied" :rule "D4"
    :schedule "power-loss-all-fsm" :options crash-options
    :why "the log is compacted past what RocksDB made durable; a power loss on the RocksDB directory rolls it back to entries the log no longer has"}
   {:mode "skip-replay" :rule "D5"
    :schedule "power-loss-all-fsm" :options crash-options
    :why "power loss rolls every state machine back; a node that marks the lost entries applied without replaying them serves, and snapshots, a list without acknowledged elements"}
   {:mode "log-reset-before-install" :rule "D6"
    :schedule "crash-after-snapshot-reset" :options crash-options
    :why "a follower that needs a snapshot crashes right after resetting its log to it: its state machine does not hold the snapshot yet, the log starts past it, and the node cannot restart"}
   {:mode "append-after-torn-tail" :rule "D7"
    :schedule "power-loss-all-torn" :options crash-options
    :why "power loss in the middle of every node's WAL fsync tears the batch; a log that resumes after the torn bytes leaves damage in the middle of the WAL, and the next recovery refuses to start"}])

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

(defn- total
  "The sum of k over the workload's result and, when it checks per key, over its keys' results."
  [workload k]
  (or (get workload k)
      (when (map? (:results workload))
        (reduce + 0 (keep #(when (map? %) (get % k)) (vals (:results workload)))))
      0))

(defn anomalies
  "Takes a run's results. Returns a short text naming what made it invalid (counts of stale reads,
  lost, duplicated and unexpected elements, nodes that could not restart, ...), or \"-\" when
  it names nothing."
  [results]
  (let [w (:workload results)
        stale (+ (:stale-read-count results 0) (if (contains? results :stale-read-count) 0 (total w :stale-read-count)))
        parts (cond-> []
                (pos? stale) (conj (str stale " stale read" (when (not= 1 stale) "s")))
                (pos? (total w :lost-count)) (conj (str (total w :lost-count) " lost"))
                (pos? (total w :duplicate-count)) (conj (str (total w :duplicate-count) " applied twice"))
                (pos? (total w :unexpected-count)) (conj (str (total w :unexpected-count) " unexpected"))
                (pos? (total w :reordered-count)) (conj (str (total w :reordered-count) " reordered"))
                (pos? (total w :not-prefix-count)) (conj (str (total w :not-prefix-count) " reads not a prefix"))
                (and (zero? stale) (seq (get-in w [:linearizable :failures])))
                (conj (str "keys " (pr-str (get-in w [:linearizable :failures])) " not linearizable"))
                (seq (get-in results [:restarts :failed-starts]))
                (conj (str (str/join "," (sort (distinct (map :node (get-in results [:restarts :failed-starts])))))
                           " could not restart"))
                (false? (get-in results [:replicas :valid?])) (conj "replicas disagree"))]
    (if (seq parts) (str/join ", " parts) "-")))

(defn- run-once!
  "Runs one test. Returns {:valid? v :dir run-dir :seconds s :anomalies text}."
  [base-opts {:keys [mode schedule fsm-sync-mode] :as entry} attempt]
  (let [opts (run-options base-opts entry)
        t0 (System/nanoTime)
        result (try (core/run-test! (tests/build-test opts))
                    (catch Throwable t
                      (log/error! t "Sensitivity run crashed:" (or mode "safe") schedule)
                      {:results {:valid? :crashed :error (.getMessage t)}}))
        secs (util/nanos->secs (- (System/nanoTime) t0))
        results (:results result)]
    (log/info! (format "sensitivity: %s / %s, run %d: %s in %.0f s (%s)" (or mode (str "safe store, " fsm-sync-mode))
                       schedule attempt (pr-str (:valid? results)) secs (anomalies results)))
    {:valid? (:valid? results) :dir (:store-dir result) :seconds secs
     :aborted? (boolean (:aborted? results))
     :anomalies (anomalies results)
     :summary (report/lines results)}))

(defn needed-catches
  "How many of runs runs must catch a mode when every run is made: two of three, or better."
  [runs]
  (long (Math/ceil (/ (* 2 runs) 3.0))))

(defn run-mode!
  "Runs an unsafe mode up to max-runs times, stopping at the first invalid run unless every-run?.
  Returns its row: :caught? (caught at all; with every-run?, in at least needed-catches runs),
  :runs (runs made), :runs-to-catch (the first run that caught it, or nil), :per-run (each
  run's verdict and anomalies)."
  [base-opts entry max-runs every-run?]
  (loop [attempt 1 per-run []]
    (let [{:keys [valid? dir seconds summary aborted? anomalies]} (run-once! base-opts entry attempt)
          per-run (conj per-run {:caught? (false? valid?) :valid? valid? :anomalies anomalies :dir dir
                                 :seconds (Math/round (double seconds)) :evidence (when (false? valid?) (vec (take 3 summary)))})]
      (if (or aborted? (>= attempt max-runs) (and (false? valid?) (not every-run?)))
        (let [caught (count (filter :caught? per-run))
              first-catch (some (fn [[i r]] (when (:caught? r) (inc i))) (map-indexed vector per-run))]
          {:mode (:mode entry) :rule (:rule entry) :workload (get-in entry [:options :workload]) :schedule (:schedule entry)
           :caught? (if every-run? (>= caught (needed-catches max-runs)) (pos? caught))
           :caught-runs caught :runs attempt :runs-to-catch first-catch :every-run? (boolean every-run?)
           :seconds (reduce + (map :seconds per-run)) :per-run per-run :runs-dirs (mapv :dir per-run)
           :aborted? aborted? :evidence (some :evidence per-run)})
        (recur (inc attempt) per-run)))))

(defn run-safe!
  "Runs the safe store once on a schedule. Returns its row."
  [base-opts entry]
  (let [{:keys [valid? dir seconds summary aborted? anomalies]} (run-once! base-opts entry 1)]
    {:mode (str "safe store (" (:fsm-sync-mode entry) ")") :workload (get-in entry [:options :workload])
     :schedule (:schedule entry) :valid? valid? :runs 1 :seconds (Math/round (double seconds)) :runs-dirs [dir]
     :aborted? aborted? :anomalies anomalies
     :for-modes (:for-modes entry) :problems (when-not (true? valid?) (vec (take 5 summary)))}))

;; ---------------------------------------------------------------------------------------------
;; The table

(defn- yes-no [b] (if b "yes" "no"))

(defn- caught-text
  "Per run, for an unsafe mode: \"yes yes no\" when every run was made, else \"yes\" or \"no\"."
  [r]
  (if (:every-run? r)
    (str/join " " (map (comp yes-no :caught?) (:per-run r)))
    (yes-no (:caught? r))))

(defn table-rows
  "Takes the result rows. Returns [header & rows] of strings."
  [rows]
  (into [["mode" "rule" "nemesis (workload + schedule)" "caught" "runs to catch" "anomalies" "seconds"]]
        (for [r rows]
          (let [unsafe? (contains? r :caught?)]
            [(:mode r) (or (:rule r) "-") (str (:workload r) " + " (:schedule r))
             (if unsafe? (caught-text r) (str "valid: " (yes-no (true? (:valid? r)))))
             (if unsafe? (if-let [n (:runs-to-catch r)] (str n) (str "not in " (:runs r))) "-")
             (if unsafe?
               (or (some #(when (:caught? %) (:anomalies %)) (:per-run r)) "-")
               (:anomalies r "-"))
             (str (:seconds r))]))))

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

(defn runs-markdown
  "Every run of the matrix, one line each: mode, run, verdict, anomalies, seconds, directory."
  [rows]
  (str/join "\n"
            (concat ["| mode | schedule | run | verdict | anomalies | seconds | run directory |"
                     "| --- | --- | --- | --- | --- | --- | --- |"]
                    (for [r rows
                          [i run] (map-indexed vector (or (:per-run r) [r]))]
                      (str "| " (:mode r) " | " (:schedule r) " | " (inc i) " | "
                           (if (contains? r :caught?)
                             (if (:caught? run) "caught" (str "not caught (" (pr-str (:valid? run)) ")"))
                             (pr-str (:valid? run)))
                           " | " (:anomalies run "-") " | " (:seconds run) " | " (or (:dir run) (first (:runs-dirs r))) " |")))))

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
          (str "# Sensitivity matrix\n\n" (:started meta) ", " (:node-count meta) " nodes, "
               (if (:every-run? meta) "every one of " "at most ")
               (:max-runs meta) " runs of at most " (:time-limit meta) " s per unsafe mode"
               (when (:quick meta) " (quick subset)") ".\n\n" (markdown rows) "\n\n## Every run\n\n"
               (runs-markdown rows) "\n"))
    (let [link (.toPath (io/file root "sensitivity" "latest"))]
      (java.nio.file.Files/deleteIfExists link)
      (java.nio.file.Files/createSymbolicLink link (.toPath (io/file (.getName dir)))
                                              (make-array java.nio.file.attribute.FileAttribute 0)))
    dir))

;; ---------------------------------------------------------------------------------------------
;; Command line

(def own-options
  [[nil "--quick" "Only the fastest catchable modes (and the safe store on their schedules, nosync only)"]
   [nil "--modes NAMES" "Comma-separated unsafe modes to run (default: every mode of the store)"]
   [nil "--runs N" "At most this many runs per unsafe mode" :default 3 :parse-fn parse-long
    :validate [#(<= 1 % 10) "--runs must be 1..10"]]
   [nil "--every-run" "Make all --runs runs of each mode, not just until it is caught; a mode then passes when caught in two of three runs or better"]
   [nil "--sync-modes MODES" "fsm sync modes for the safe-store runs (comma-separated; `none` to skip them)"
    :default "sync,nosync"]
   [nil "--safe-runs N" "Safe-store runs per schedule and sync mode" :default 1 :parse-fn parse-long
    :validate [#(<= 1 % 10) "--safe-runs must be 1..10"]]
   [nil "--only-safe" "Run only the safe store, on the schedules of the chosen modes"]])

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
        unsafe (if (:only-safe opts) [] chosen)
        safe (vec (apply concat (repeat (:safe-runs opts 1) (safe-runs chosen (sync-modes opts)))))
        base (-> (dissoc opts :quick :modes :runs :sync-modes :every-run :safe-runs :only-safe) (assoc :test-count 1))
        started (str (java.time.LocalDateTime/now))
        ;; Every run is built (nothing is touched) first: a bad option is a usage error now, not a
        ;; crash of each run in turn.
        _ (doseq [entry (concat unsafe safe)] (tests/build-test (run-options base entry)))
        _ (log/info! "Sensitivity matrix:" (count unsafe) "unsafe modes," (if (:every-run opts) "" "up to")
                     (:runs opts) "runs each;" (count safe) "safe-store runs")
        ;; After a Ctrl-C (a run comes back aborted) no further run starts: the JVM is shutting down.
        rows (reduce (fn [rows run]
                       (if (some :aborted? rows) (reduced rows) (conj rows (run))))
                     []
                     (concat (for [m unsafe] #(run-mode! base m (:runs opts) (:every-run opts)))
                             (for [s safe] #(run-safe! base s))))
        dir (write-table! (:results-dir opts "results") rows
                          {:started started :quick (boolean (:quick opts)) :max-runs (:runs opts)
                           :every-run? (boolean (:every-run opts))
                           :time-limit (:time-limit opts) :node-count (count (str/split (:nodes opts) #","))
                           :why (into {} (map (juxt :mode :why) unsafe))})]
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
