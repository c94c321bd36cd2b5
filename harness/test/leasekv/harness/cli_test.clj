(ns leasekv.harness.cli-test
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.cli :as cli]
            [leasekv.harness.core :as core]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.tests :as tests]
            [leasekv.harness.usage :as usage]))

(deftest concurrency-n-or-per-node
  (is (= 7 (tests/parse-concurrency "7" 5)))
  (is (= 10 (tests/parse-concurrency "2n" 5)))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"N or Nn" (tests/parse-concurrency "two" 5)))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"at least 1" (tests/parse-concurrency "0n" 5))))

(deftest node-specs
  (is (= [["n1" "n2"] {"n1" "n1" "n2" "10.0.0.2"}] (tests/parse-node-specs ["n1" " n2=10.0.0.2 " "# comment" ""])))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"Duplicate" (tests/parse-node-specs ["n1" "n1"]))))

(deftest faults-and-targets
  (is (= #{:partition :kill} (nemesis/parse-faults "partition, kill")))
  (is (= #{} (nemesis/parse-faults "none")))
  (is (= #{:partition :clock :power-loss} (nemesis/parse-faults "partition,clock,power-loss")))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"Unknown fault `flood`" (nemesis/parse-faults "partition,flood")))
  (is (= [:bridge] (nemesis/parse-targets "bridge" nemesis/partition-targets "--partitions"))))

(deftest exit-codes
  (is (= 0 (core/exit-code {:valid? true})))
  (is (= 1 (core/exit-code {:valid? false})))
  (is (= 2 (core/exit-code {:valid? :unknown})))
  (is (= 255 (core/exit-code {:valid? :crashed})))
  (is (= 254 usage/invalid-arguments)))

(deftest bad-usage-is-named-and-does-not-crash
  (let [err (java.io.StringWriter.)]
    (binding [*err* err]
      (is (= 254 (cli/run-command ["test" "--time-limit" "-3"])))
      (is (= 254 (cli/run-command ["test" "--workload" "queue"])))
      (is (= 254 (cli/run-command ["frobnicate"])))
      (is (= 254 (cli/run-command []))))
    (is (str/includes? (str err) "--time-limit must be positive"))
    (is (str/includes? (str err) "--workload queue\": must be one of crash, lease, register, set"))
    (is (str/includes? (str err) "Unknown command \"frobnicate\"; the commands are test, test-all,"))))

(defn- usage-error-of
  "Runs a command with err captured. Returns [exit-code stderr-lines]."
  [args]
  (let [err (java.io.StringWriter.)
        code (binding [*err* err] (cli/run-command args))]
    [code (str/split-lines (str err))]))

(deftest every-command-answers-bad-usage-with-254-and-the-error-last
  (doseq [cmd ["test" "test-all" "analyze" "cleanup" "serve" "index" "sensitivity" "nightly" "bench-harness"]]
    (let [[code lines] (usage-error-of [cmd "--no-such-option"])]
      (is (= 254 code) cmd)
      (is (= [(str "Unknown option: \"--no-such-option\"") (str "See `lein run " cmd " --help`.")] lines)
          (str cmd ": the error and a pointer to --help, not the option table")))))

(deftest a-bad-option-found-while-building-the-test-is-a-usage-error
  (let [[code lines] (usage-error-of ["test" "--nodes" "n1" "--nemesis" "partition" "--db" "etcd"])]
    (is (= 254 code))
    (is (= 2 (count lines)))
    (is (str/starts-with? (first lines) "Error: --nemesis partition cannot act on 1 node")))
  (testing "nightly and sensitivity refuse it before their first run"
    (let [[code lines] (usage-error-of ["nightly" "--nodes" "n1" "--workloads" "register" "--nemeses" "kill;partition"
                                        "--db" "etcd" "--dry-run"])]
      (is (= 254 code))
      (is (str/starts-with? (first lines) "Error: --nemesis partition cannot act on 1 node")))
    (let [[code lines] (usage-error-of ["sensitivity" "--nodes" "n1" "--modes" "no-lease-check,wal-no-fsync"
                                        "--sync-modes" "none"])]
      (is (= 254 code))
      (is (str/starts-with? (first lines) "Error: --schedule pause-leader needs at least"))))
  (testing "test-all refuses a bad combination before its first run"
    (let [[code lines] (usage-error-of ["test-all" "--nodes" "n1" "--workloads" "register" "--nemeses" "kill;partition"
                                        "--db" "etcd"])]
      (is (= 254 code))
      (is (str/starts-with? (first lines) "Error: --nemesis partition cannot act on 1 node")))))

(deftest help-lists-every-option
  (let [out (with-out-str (is (= 0 (cli/run-command ["test" "--help"]))))]
    (doseq [opt ["--nodes" "--nodes-file" "--username" "--ssh-private-key" "--concurrency" "--time-limit"
                 "--test-count" "--rate" "--workload" "--nemesis" "--nemesis-interval" "--leave-db-running"
                 "--db" "--etcd-serializable"]]
      (is (str/includes? out opt) opt))))

(deftest builds-a-test-without-touching-nodes
  (let [t (tests/build-test {:nodes "n1,n2,n3" :concurrency "2n" :workload "register" :nemesis "partition,kill"
                             :nemesis-interval 5.0 :db "etcd" :time-limit 10 :rate 10.0 :request-timeout-ms 1000
                             :partitions "bridge" :results-dir "results" :base-dir "/tmp/x"})]
    (is (= "etcd-register-kill+partition" (:name t)))
    (is (= 6 (:concurrency t)))
    (is (= ["n1" "n2" "n3"] (:nodes t)))))
