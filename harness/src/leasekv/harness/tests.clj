(ns leasekv.harness.tests
  "Builds test maps from command-line options: the remote, the DB and its client, the workload,
  the nemesis and the composed checker. Also re-checks stored runs."
  (:require [leasekv.harness.slot :as slot]
            [clojure.java.io :as io]
            [clojure.string :as str]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.client.etcd :as etcd-client]
            [leasekv.harness.control.local :as local]
            [leasekv.harness.core :as core]
            [leasekv.harness.db.etcd :as etcd-db]
            [leasekv.harness.history :as h]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.full :as full]
            [leasekv.harness.nemesis.power-loss :as power-loss]
            [leasekv.harness.nemesis.schedules :as schedules]
            [leasekv.harness.checker.digest :as digest]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.store :as store]
            [leasekv.harness.workloads.crash :as crash]
            [leasekv.harness.workloads.lease :as lease]
            [leasekv.harness.workloads.register :as register]
            [leasekv.harness.workloads.set :as set-workload]))

(def workloads
  {"register" register/workload
   "set" set-workload/workload
   "lease" lease/workload
   "crash" crash/workload})

(def dbs
  "DB name -> function returning {:db :client}. leasekv's namespaces load only when chosen, so
  the harness runs against etcd even before the store's client jar exists."
  {"etcd" (fn [] {:db (etcd-db/db) :client (etcd-client/client)})
   "leasekv" (fn [] {:db ((requiring-resolve 'leasekv.harness.db.leasekv/db))
                     :client ((requiring-resolve 'leasekv.harness.client.leasekv/client))})})

(defn parse-concurrency
  "Takes the --concurrency text (N, or Nn for N per node) and the node count. Returns the number
  of client threads. Throws ex-info {:type :bad-option} naming the bad value."
  [s node-count]
  (if-let [[_ n per-node] (re-matches #"([0-9]+)(n?)" (str/trim (str s)))]
    (let [total (cond-> (parse-long n) (seq per-node) (* node-count))]
      (if (pos? total) total
          (throw (ex-info "--concurrency must be at least 1" {:type :bad-option}))))
    (throw (ex-info (str "--concurrency takes N or Nn (N per node), not " (pr-str s)) {:type :bad-option}))))

(defn parse-node-specs
  "Takes node entries: `name` or `name=host`. Returns [nodes hosts]: the node names in order and
  a map of name -> host (the name itself when no host is given). Throws on duplicates."
  [entries]
  (let [specs (for [e entries
                    :let [e (str/trim e)]
                    :when (and (seq e) (not (str/starts-with? e "#")))]
                (let [[n host] (str/split e #"=" 2)] [n (or host n)]))
        nodes (mapv first specs)]
    (when (empty? nodes) (throw (ex-info "No nodes given" {:type :bad-option})))
    (when (not= (count nodes) (count (distinct nodes)))
      (throw (ex-info (str "Duplicate node in " (str/join "," nodes)) {:type :bad-option})))
    [nodes (into {} specs)]))

(defn- node-entries [opts]
  (if-let [f (:nodes-file opts)]
    (if (.exists (io/file f))
      (str/split-lines (slurp f))
      (throw (ex-info (str "--nodes-file " f " does not exist") {:type :bad-option})))
    (str/split (:nodes opts) #",")))

(defn- remote-kind [opts]
  (or (:remote opts) (if (:nodes-file opts) "ssh" "local")))

(defn- make-remote [opts nodes hosts]
  (case (remote-kind opts)
    "local" (do (doseq [n nodes] (local/node-index n)) (local/remote))
    "ssh" ((requiring-resolve 'leasekv.harness.control.ssh/remote)
           {:hosts hosts :username (:username opts) :private-key (:ssh-private-key opts)
            :port (:ssh-port opts) :strict-host-key-checking (boolean (:strict-host-key-checking opts))})))

(defn test-name [opts]
  (or (:name opts)
      (str (:db opts) "-" (:workload opts) "-"
           (if-let [s (:schedule opts)]
             s
             (let [fs (nemesis/parse-faults (:nemesis opts))]
               (if (seq fs) (str/join "+" (map name (sort fs))) "none")))
           (when (:etcd-serializable opts) "-serializable")
           (when (:unsafe opts) (str "-unsafe-" (str/replace (:unsafe opts) "," "+"))))))

(defn composed-checker
  "Returns the checker every test runs: the workload's, plus stats, exceptions and perf; for
  leasekv also the cross-replica digest comparison and the power-loss restarts."
  ([workload] (composed-checker workload nil))
  ([workload db-name]
   (checker/compose (cond-> {:workload (:checker workload)
                             :stats (checker/stats)
                             :exceptions (checker/unhandled-exceptions)
                             :perf (checker/perf)}
                      (= "leasekv" db-name) (assoc :replicas (digest/checker)
                                                   :restarts (power-loss/checker))))))

(defn- final-generator
  "The workload's final generator, then (leasekv) the digest collection once everything is idle."
  [workload db-name]
  (let [final (:final-generator workload)]
    (if (= "leasekv" db-name)
      (apply gen/phases (concat (when final [final]) [(gen/nemesis (gen/once (digest/final-op)))]))
      final)))

(def ^:private stored-option-keys
  [:nodes :nodes-file :remote :username :ssh-port :concurrency :time-limit :rate :workload :nemesis
   :nemesis-interval :partitions :leave-db-running :db :etcd-serializable :read-mode :fsm-sync-mode :unsafe
   :store-args :store-jar :leasekv-routing :schedule :clock-drift-bound :key-period :writers :read-timeout-ms :ops-per-key :threads-per-key :linear-time-limit :request-timeout-ms :results-dir :base-dir :name])

(defn build-test
  "Takes parsed command-line options (see leasekv.harness.cli/test-options). Returns the test map
  core/run-test! runs. Nothing is touched on any node yet."
  [opts]
  (let [[nodes hosts] (parse-node-specs (node-entries opts))
        concurrency (parse-concurrency (:concurrency opts) (count nodes))
        workload ((workloads (:workload opts)) (assoc opts :concurrency concurrency :node-count (count nodes)))
        {:keys [db client]} ((dbs (:db opts)))
        _ (when (and (:needs-db workload) (not= (:needs-db workload) (:db opts)))
            (throw (ex-info (str "The " (:workload opts) " workload needs --db " (:needs-db workload))
                            {:type :bad-option})))
        partitions (nemesis/parse-targets (:partitions opts (str/join "," (map name nemesis/partition-targets)))
                                          nemesis/partition-targets "--partitions")
        {:keys [faults nemesis-generator lazyfs-dirs delay-proxy? store-args]}
        (schedules/settings (assoc opts :node-count (count nodes)) workload partitions)]
    {:name (test-name opts)
     :options (-> (select-keys opts stored-option-keys) (assoc :remote (remote-kind opts)))
     :nodes nodes
     :remote (make-remote opts nodes hosts)
     :db db
     :db-name (:db opts)
     :client (or (:client workload) client)
     :nemesis (full/nemesis)
     :faults faults
     :nemesis-generator nemesis-generator
     :lazyfs-dirs lazyfs-dirs
     :delay-proxy? delay-proxy?
     :generator (:generator workload)
     :final-generator (final-generator workload (:db opts))
     :checker (composed-checker workload (:db opts))
     :workload (keyword (:workload opts))
     :concurrency concurrency
     :time-limit (:time-limit opts)
     :rate (when (pos? (:rate opts 0)) (:rate opts))
     :request-timeout-ms (:request-timeout-ms opts)
     :read-timeout-ms (:read-timeout-ms opts (:request-timeout-ms opts))
     :etcd-serializable (boolean (:etcd-serializable opts))
     :read-mode (:read-mode opts)
     :fsm-sync-mode (:fsm-sync-mode opts)
     :unsafe (:unsafe opts)
     :store-args store-args
     :store-jar (or (:store-jar opts) (System/getenv "LEASEKV_STORE_JAR"))
     :leasekv-routing (:leasekv-routing opts "follow")
     :leave-db-running (boolean (:leave-db-running opts))
     :results-root (:results-dir opts "results")
     :base-dir (:base-dir opts)}))

(defn analyze-stored!
  "Takes the results root and which run (nil, an index or a path; see store/resolve-run).
  Re-checks that run's history.edn with the checker its options describe, rewrites its
  results.edn, logs the run's summary and returns the results."
  [root which]
  (let [^java.io.File dir (store/resolve-run root which)
        opts (store/read-edn (io/file dir "test.edn"))
        test (assoc (build-test (merge {:results-dir root :base-dir (slot/default-base-dir)} opts))
                    :store-dir (.getPath dir))
        history (h/read-history (io/file dir "history.edn"))]
    (log/info! "Analyzing" (.getPath dir) "-" (count history) "ops")
    (let [results (core/analyze! test history)]
      (core/log-summary! test results history)
      results)))
