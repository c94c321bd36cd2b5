(ns leasekv.harness.core-test
  "The test lifecycle on fake nodes: the final heal and the teardown run also when the run
  crashes or is aborted, and the run directory says what happened."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.client :as client]
            [leasekv.harness.control :as c]
            [leasekv.harness.core :as core]
            [leasekv.harness.db :as db]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.store :as store])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(defrecord FakeRemote [calls]
  c/Remote
  (setup-cluster! [_ nodes] (swap! calls conj [:setup-cluster nodes]) nil)
  (teardown-cluster! [_] (swap! calls conj [:teardown-cluster]) nil)
  (address [_ node] (str "192.0.2." (subs node 1)))
  (exec* [_ node cmd _] (swap! calls conj [:exec node cmd]) {:exit 0 :out "" :err ""})
  (upload! [_ node l r] (swap! calls conj [:upload node l r]) nil)
  (download! [_ node r l] (swap! calls conj [:download node r l]) (io/make-parents l) (spit l "log line\n") nil)
  (start-daemon! [_ node opts] (swap! calls conj [:daemon node]) 1))

(defrecord FakeDB [calls]
  db/DB
  (setup! [_ _ node] (swap! calls conj [:db-setup node]))
  (teardown! [_ _ node] (swap! calls conj [:db-teardown node]))
  db/Kill
  (start! [_ _ node] (swap! calls conj [:start node]) :started)
  (kill! [_ _ node] (swap! calls conj [:kill node]) :killed)
  db/LogFiles
  (log-files [_ _ node] {(str "/var/log/" node ".log") "node.log"}))

(defrecord OkClient []
  client/Client
  (open! [this _ _] this)
  (setup! [_ _] nil)
  (invoke! [_ _ op] (assoc op :type :ok))
  (teardown! [_ _] nil)
  (close! [_ _] nil))

(defn- fake-test [calls generator]
  {:name "fake" :nodes ["n1" "n2" "n3"] :concurrency 2 :time-limit 2
   :results-root (str (Files/createTempDirectory "core-test" (make-array FileAttribute 0)))
   :remote (->FakeRemote calls) :db (->FakeDB calls) :client (->OkClient) :nemesis (nemesis/combined)
   :generator generator :nemesis-generator [(gen/sleep 0.1) {:type :info :f :kill :value :one}]
   :checker (checker/compose {:stats (checker/stats)}) :options {:fake true}})

(defn- did? [calls pred] (some pred @calls))

(deftest a-crashing-run-still-heals-downloads-and-tears-down
  (let [calls (atom [])
        n (atom 0)
        boom (fn [] (if (< (swap! n inc) 20) {:f :write :value 1} (throw (IllegalStateException. "generator bug"))))
        t (fake-test calls boom)]
    (binding [log/*quiet* true]
      (is (thrown-with-msg? IllegalStateException #"generator bug" (core/run-test! t))))
    (doseq [node (:nodes t)]
      (is (did? calls #(and (= [:exec node] (take 2 %)) (str/includes? (nth % 2) "-D "))) (str "iptables healed on " node))
      (is (did? calls #{[:start node]}) (str "killed nodes restarted on " node))
      (is (did? calls #{[:db-teardown node]}))
      (is (did? calls #(= [:download node (str "/var/log/" node ".log")] (take 3 %)))))
    (is (did? calls #{[:teardown-cluster]}))
    (let [run (store/resolve-run (:results-root t) nil)]
      (is (= :crashed (:valid? (store/read-edn (io/file run "results.edn")))))
      (is (.exists (io/file run "n1" "node.log")))
      (is (str/includes? (slurp (io/file run "harness.log")) "generator bug"))
      (let [log (slurp (io/file run "harness.log"))]
        (is (str/includes? log "Summary of fake") "a crashed run ends with its summary too")
        (is (str/includes? log "checkers not run: the run crashed (java.lang.IllegalStateException: generator bug)"))
        (is (str/includes? (last (str/split-lines log)) "Verdict: :crashed -> "))))))

(deftest a-normal-run-is-checked-and-stored
  (let [calls (atom [])
        t (fake-test calls (gen/limit 50 (gen/repeat {:f :write :value 1})))
        result (binding [log/*quiet* true] (core/run-test! t))
        run (io/file (:store-dir result))]
    (is (true? (get-in result [:results :valid?])))
    (is (= 0 (core/exit-code (:results result))))
    (is (= 100 (count (filter #(str/includes? % ":f :write") (str/split-lines (slurp (io/file run "history.edn")))))))
    (is (some #(str/includes? % ":f :kill") (str/split-lines (slurp (io/file run "history.edn")))) "the nemesis ran")
    (is (some #(str/includes? % ":f :heal") (str/split-lines (slurp (io/file run "history.edn")))) "the final heal is recorded")
    (is (= {:fake true} (store/read-edn (io/file run "test.edn"))))
    (is (did? calls #{[:teardown-cluster]}))
    (let [log (str/split-lines (slurp (io/file run "harness.log")))
          summary (drop-while #(not (str/includes? % "Summary of fake")) log)]
      (is (str/includes? (first summary) "Summary of fake (50 client ops, 1 fault)"))
      (is (some #(str/ends-with? % "  write      50     0     0") summary))
      (is (some #(str/ends-with? % "  faults   kill 1 (one 1)") summary))
      (is (some #(str/ends-with? % "  checkers stats true") summary))
      (is (str/ends-with? (last summary) (str "Verdict: true -> " (:store-dir result))) "the verdict comes last"))))

(deftest leave-db-running-skips-teardown
  (let [calls (atom [])
        t (assoc (fake-test calls (gen/limit 5 (gen/repeat {:f :write :value 1}))) :leave-db-running true)]
    (binding [log/*quiet* true] (core/run-test! t))
    (is (not (did? calls #{[:teardown-cluster]})))
    (is (= 1 (count (filter #{[:db-teardown "n1"]} @calls))) "only the teardown before setup ran")
    (is (did? calls #(= :exec (first %))) "but faults were still healed")))
