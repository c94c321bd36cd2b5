(ns leasekv.harness.cli
  "The command line: `lein run test`, `lein run test-all`, `lein run analyze`, `lein run cleanup`.
  Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad usage (invalid arguments), 255 crashed
  (leasekv.harness.usage)."
  (:require [leasekv.harness.slot :as slot]
            [clojure.string :as str]
            [clojure.tools.cli :as tools-cli]
            [leasekv.harness.control.local :as local]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.core :as core]
            [leasekv.harness.log :as log]
            [leasekv.harness.lazyfs :as lazyfs]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.schedules :as schedules]
            [leasekv.harness.tests :as tests]
            [leasekv.harness.usage :as usage])
  (:gen-class))

(defn- positive [what] [#(pos? %) (str what " must be positive")])

(def test-options
  [[nil "--nodes NODES" "Comma-separated node names (local: n1..n9; ssh: hosts, or name=host)"
    :default "n1,n2,n3,n4,n5"]
   [nil "--nodes-file FILE" "A file listing one node per line (implies --remote ssh)"]
   [nil "--remote KIND" "local (network namespaces here) or ssh" :default nil
    :validate [#{"local" "ssh"} "must be local or ssh"]]
   [nil "--username USER" "SSH user; commands run through sudo unless it is root" :default "root"]
   [nil "--ssh-private-key FILE" "SSH private key file"]
   [nil "--ssh-port PORT" "SSH port" :default 22 :parse-fn parse-long :validate (positive "--ssh-port")]
   [nil "--strict-host-key-checking" "Check SSH host keys against ~/.ssh/known_hosts"]
   [nil "--concurrency N" "Client threads: N, or Nn for N per node" :default "2n"]
   [nil "--time-limit SECONDS" "How long the workload runs" :default 60 :parse-fn parse-long
    :validate (positive "--time-limit")]
   [nil "--test-count N" "Run the test this many times (stops at the first non-valid run)" :default 1
    :parse-fn parse-long :validate (positive "--test-count")]
   [nil "--rate HZ" "Client ops per second in total (0: as fast as the clients go)" :default 100.0
    :parse-fn parse-double :validate [#(>= % 0) "--rate must not be negative"]]
   [nil "--workload NAME" "register, set, lease (a register shaped for the lease window) or crash (list appends under power loss)" :default "register"
    :validate [#(contains? tests/workloads %) (str "must be one of " (str/join ", " (sort (keys tests/workloads))))]]
   [nil "--nemesis FAULTS" "Comma-separated faults: partition, kill, pause, transfer, power-loss (also partial and at an fsync), clock (rates, steps, wall-clock steps both ways), membership, delay, stall-apply, crash-at (a node halts at a chosen point of its log sync or snapshot install) (or none)" :default "partition,kill"
    :validate [#(try (nemesis/parse-faults %) true (catch Exception _ false))
               "faults are partition, kill, pause, transfer, power-loss, clock, membership, delay, stall-apply, or none"]]
   [nil "--schedule NAME" "A named fault schedule instead of --nemesis (lease-targeted, composed partitions, wall clocks, apply stalls, retried writes, power loss; docs/harness.md lists them)"
    :validate [#(contains? schedules/named %) (str "must be one of " (str/join ", " (schedules/names)))]]
   [nil "--clock-drift-bound RHO" "leasekv: the nodes' --clock-drift-bound (default 0.5 with clock faults, else the store's)"
    :parse-fn parse-double :validate [#(< 0 % 1) "--clock-drift-bound must be between 0 and 1"]]
   [nil "--key-period SECONDS" "lease: how long each key stays hot" :default 5 :parse-fn parse-long
    :validate (positive "--key-period")]
   [nil "--writers N" "lease: client threads that write (default one per node); the others only read"
    :parse-fn parse-long :validate (positive "--writers")]
   [nil "--read-timeout-ms MS" "lease, crash: reads' timeout (default --request-timeout-ms); longer keeps reads queued at a paused node alive"
    :parse-fn parse-long :validate (positive "--read-timeout-ms")]
   [nil "--nemesis-interval SECONDS" "Seconds between fault start and stop" :default 10.0
    :parse-fn parse-double :validate (positive "--nemesis-interval")]
   [nil "--partitions KINDS" "Partition kinds to draw from (comma-separated): random-halves, isolate-leader, majorities-ring, bridge, one-way"
    :default "random-halves,isolate-leader,majorities-ring,bridge,one-way"
    :validate [#(try (nemesis/parse-targets % nemesis/partition-targets "--partitions") true (catch Exception _ false))
               "kinds are random-halves, isolate-leader, majorities-ring, bridge, one-way"]]
   [nil "--leave-db-running" "Keep the cluster and the DB after the test (remove with `lein run cleanup`)"]
   [nil "--db NAME" "The system under test: leasekv or etcd" :default "leasekv"
    :validate [#(contains? tests/dbs %) (str "must be one of " (str/join ", " (sort (keys tests/dbs))))]]
   [nil "--etcd-serializable" "etcd: serializable (possibly stale) reads instead of linearizable ones"]
   [nil "--read-mode MODE" "leasekv: lease or read-index" :validate [#{"lease" "read-index"} "must be lease or read-index"]]
   [nil "--fsm-sync-mode MODE" "leasekv: sync or nosync" :validate [#{"sync" "nosync"} "must be sync or nosync"]]
   [nil "--unsafe MODES" "leasekv: unsafe modes (comma-separated; enables --test-hooks)"]
   [nil "--leasekv-routing MODE" "leasekv: every-node-reads (reads asked at the own node first, then at the leader), follow (redirects to the leader), pinned (own node only) or pinned-reads"
    :default "every-node-reads" :validate [#{"every-node-reads" "follow" "pinned" "pinned-reads"}
                                           "must be every-node-reads, follow, pinned or pinned-reads"]]
   [nil "--store-jar FILE" "leasekv: install this jar instead of building store/node/target/leasekv-store.jar"]
   [nil "--store-args ARGS" "leasekv: extra arguments for every node, space-separated"]
   [nil "--ops-per-key N" "register: ops on each key" :default 150 :parse-fn parse-long :validate (positive "--ops-per-key")]
   [nil "--threads-per-key N" "register: client threads per key" :default 5 :parse-fn parse-long
    :validate (positive "--threads-per-key")]
   [nil "--linear-time-limit SECONDS" "register: budget of the linearizability check; keys over it are unknown"
    :default 120 :parse-fn parse-long :validate (positive "--linear-time-limit")]
   [nil "--request-timeout-ms MS" "Client request timeout" :default 2000 :parse-fn parse-long
    :validate (positive "--request-timeout-ms")]
   [nil "--results-dir DIR" "Where runs are stored" :default "results"]
   [nil "--base-dir DIR" "Directory on the nodes for data and logs (one subdirectory per node)"
    :default (slot/default-base-dir)]
   [nil "--name NAME" "Test name (default: db-workload-faults)"]
   ["-h" "--help" "Show this help"]])

(def test-all-options
  (into [[nil "--workloads NAMES" "Comma-separated workloads" :default "register,set"]
         [nil "--nemeses LIST" "Semicolon-separated fault sets, e.g. `partition;kill;pause;partition,kill`"
          :default "partition;kill;pause;partition,kill"]]
        (remove #(#{"--workload NAME" "--nemesis FAULTS"} (second %)) test-options)))

(def analyze-options
  [["-t" "--test WHICH" "A run directory, or an index among stored runs (0 oldest, -1 newest); default newest"]
   [nil "--results-dir DIR" "Where runs are stored" :default "results"]
   ["-h" "--help" "Show this help"]])

(def usage-text
  (str "Usage: lein run COMMAND [OPTIONS]\n\n"
       "Commands:\n"
       "  test      Run a test (default: 5 local nodes, register workload, partitions and kills, 60 s)\n"
       "  test-all  Run a matrix of workloads x fault sets\n"
       "  analyze   Re-check a stored run (-t PATH|INDEX)\n"
       "  cleanup   Remove the local cluster (namespaces, bridge, processes) left by a run\n"
       "  serve     Serve results/ at http://127.0.0.1:8080/ (-p PORT, -b ADDRESS): every run, its timeline and charts\n"
       "  index     Rebuild results/index.html and the run pages that are missing or outdated (--all: every page)\n"
       "  sensitivity  Run every unsafe mode against the schedule that must catch it, and the safe store\n"
       "  nightly   Run the matrix workloads x nemeses x fsm sync modes x read modes; summary in results/nightly/\n"
       "  bench-harness  How many ops/s the harness itself drives (against a local redis-server, vs redis-benchmark)\n\n"
       "Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad usage, 255 crashed, 130 after Ctrl-C, 143 after SIGTERM.\n"
       "`lein run COMMAND --help` lists the command's options.\n"))

(defn fail-usage
  "Prints msg to stderr, then a pointer to `lein run <command> --help`. Returns 254, the exit code
  of bad usage. Shared by every subcommand (see leasekv.harness.usage)."
  [msg command]
  (usage/fail! msg command))

(defn- parse [args spec]
  (tools-cli/parse-opts args spec))

(defn- run-tests [opts]
  (loop [i 1 code 0]
    (if (> i (:test-count opts))
      code
      (let [test (tests/build-test opts)
            _ (log/info! "Run" i "of" (:test-count opts) ":" (:name test))
            result (core/run-test! test)
            code (core/exit-code (:results result))]
        (if (zero? code) (recur (inc i) (long code)) code)))))

(defn test-cmd [args]
  (let [{:keys [options errors summary]} (parse args test-options)]
    (cond (:help options) (do (println "lein run test [OPTIONS]\n") (println summary) 0)
          errors (fail-usage (str/join "\n" errors) "test")
          :else (run-tests options))))

(defn test-all-cmd [args]
  (let [{:keys [options errors summary]} (parse args test-all-options)]
    (cond
      (:help options) (do (println "lein run test-all [OPTIONS]\n") (println summary) 0)
      errors (fail-usage (str/join "\n" errors) "test-all")
      :else
      (let [workloads (str/split (:workloads options) #",")
            nemeses (str/split (:nemeses options) #";")
            runs (for [w workloads n nemeses] [w n])
            ;; Every combination is built (nothing is touched) before the first runs, so that a bad
            ;; one is a usage error now rather than a crash half-way through the matrix.
            _ (doseq [[w n] runs] (tests/build-test (assoc options :workload w :nemesis n)))
            outcomes (doall
                      (for [[w n] runs]
                        (let [code (try (run-tests (assoc options :workload w :nemesis n))
                                        (catch Throwable t (log/error! t "Test crashed:" w n) 255))]
                          {:workload w :nemesis n :code code})))]
        (log/info! "test-all summary:")
        (doseq [{:keys [workload nemesis code]} outcomes]
          (log/info! (format "  %-10s %-22s %s" workload nemesis
                             ({0 "valid" 1 "INVALID" 2 "unknown" 255 "CRASHED"} code))))
        (let [codes (set (map :code outcomes))]
          (cond (codes 255) 255 (codes 1) 1 (codes 2) 2 :else 0))))))

(defn analyze-cmd [args]
  (let [{:keys [options errors summary]} (parse args analyze-options)]
    (cond (:help options) (do (println "lein run analyze [OPTIONS]\n") (println summary) 0)
          errors (fail-usage (str/join "\n" errors) "analyze")
          :else (core/exit-code (tests/analyze-stored! (:results-dir options) (:test options))))))

(def cleanup-options
  [[nil "--base-dir DIR" "The nodes' data directory to wipe" :default (slot/default-base-dir)]
   ["-h" "--help" "Show this help"]])

(defn cleanup-cmd
  "Removes what a crashed or --leave-db-running run left on this machine: every harness
  namespace with its processes and iptables rules, the bridge, the UTS files and the nodes' data."
  [args]
  (let [{:keys [options errors summary]} (parse args cleanup-options)]
    (cond (:help options) (do (println "lein run cleanup [OPTIONS]\n") (println summary) 0)
          errors (fail-usage (str/join "\n" errors) "cleanup")
          :else (let [r (local/cleanup!)
                      dir (java.io.File. ^String (:base-dir options))
                      mounts (lazyfs/cleanup-local! (.getPath dir))]
                  (when (.exists dir)
                    (shell/run! ["rm" "-rf" "--one-file-system" (.getPath dir)]))
                  (log/info! "Removed:" (pr-str (assoc r :data-dir (.getPath dir) :lazyfs-mounts (count mounts))))
                  0))))

(def ^:private commands
  ["test" "test-all" "analyze" "cleanup" "serve" "index" "sensitivity" "nightly" "bench-harness"])

(defn run-command
  "Takes the command-line arguments. Runs the command and returns its exit code."
  [[cmd & args]]
  (try
    (case cmd
      "test" (test-cmd args)
      "test-all" (test-all-cmd args)
      "analyze" (analyze-cmd args)
      "cleanup" (cleanup-cmd args)
      "serve" ((requiring-resolve 'leasekv.harness.web/serve-cmd) args)
      "index" ((requiring-resolve 'leasekv.harness.web/index-cmd) args)
      "sensitivity" ((requiring-resolve 'leasekv.harness.sensitivity/sensitivity-cmd) args)
      "nightly" ((requiring-resolve 'leasekv.harness.nightly/nightly-cmd) args)
      "bench-harness" ((requiring-resolve 'leasekv.harness.bench/bench-cmd) args)
      ("help" "--help" "-h") (do (print usage-text) (flush) 0)
      nil (fail-usage "No command given." nil)
      (fail-usage (str "Unknown command " (pr-str cmd) "; the commands are " (str/join ", " commands) ".") nil))
    (catch clojure.lang.ExceptionInfo e
      (if (#{:bad-option :bad-node :no-such-run :bad-history} (:type (ex-data e)))
        (fail-usage (str "Error: " (.getMessage e)) (some #{cmd} commands))
        (do (log/error! e "Crashed") usage/crashed)))
    (catch Throwable t
      (log/error! t "Crashed")
      usage/crashed)))

(defn -main [& args]
  (let [code (run-command args)]
    (shutdown-agents)
    (System/exit code)))
