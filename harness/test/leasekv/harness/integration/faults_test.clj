(ns ^:integration leasekv.harness.integration.faults-test
  "The new faults on a real 5-node leasekv cluster (this slot's namespaces): power loss through
  lazyfs, clock skew, membership changes and packet delay through the delay proxies all happen
  and are recorded; and everything they create (FUSE mounts, mount daemons, delay proxies,
  namespaces, iptables rules) is gone afterwards: after a normal run, after a run that crashes
  while the faults are active, after a Ctrl-C, and after `lein run cleanup` of a dead mount."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [clojure.tools.cli :as tools-cli]
            [leasekv.harness.cli :as cli]
            [leasekv.harness.control :as c]
            [leasekv.harness.control.local :as local]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.core :as core]
            [leasekv.harness.history :as h]
            [leasekv.harness.integration.support :as support]
            [leasekv.harness.lazyfs :as lazyfs]
            [leasekv.harness.slot :as slot]
            [leasekv.harness.store :as store]
            [leasekv.harness.tests :as tests]
            [leasekv.harness.util :as util])
  (:import (java.util.concurrent TimeUnit)))

(defn options
  "Parses command-line arguments as `lein run test` does. Returns the options map."
  [args]
  (let [{:keys [options errors]} (tools-cli/parse-opts args cli/test-options)]
    (assert (empty? errors) (pr-str errors))
    options))

(def base-dir (slot/default-base-dir))

(defn leftovers
  "What the harness's faults could leave behind on this machine for this slot."
  []
  {:mounts (lazyfs/leftover-mounts base-dir)
   :namespaces (vec (local/harness-namespaces))
   :processes (->> (str/split-lines (:out (shell/run ["ps" "-eo" "pid,args"])))
                   (filter #(and (str/includes? % (str base-dir "/"))
                                 (or (str/includes? % "leasekv-lazyfs") (str/includes? % "leasekv-delayproxy")
                                     (str/includes? % "leasekv-store"))))
                   vec)})

(def nothing-left {:mounts [] :namespaces [] :processes []})

(deftest ^:integration every-new-fault-happens-is-recorded-and-is-cleaned-up
  (support/call-with-results-dir
   (fn [dir]
     (let [t (core/run-test! (tests/build-test
                              (options ["--workload" "crash" "--nemesis" "power-loss,clock,membership,delay"
                                        "--nemesis-interval" "2" "--time-limit" "40" "--rate" "30"
                                        "--results-dir" dir])))
           ops (h/ops (:history t))
           ;; The nemesis does one op at a time, and logs both halves as :info (Jepsen's
           ;; convention): for one :f, every second op is a completion.
           done (fn [f] (take-nth 2 (rest (filter #(and (= :nemesis (:process %)) (= f (:f %))) ops))))]
       (is (true? (get-in t [:results :valid?])) (pr-str (:findings (:results t))))
       (testing "power loss: every target restarted and served again"
         (is (seq (done :power-loss)))
         (doseq [op (done :power-loss)]
           (is (every? #{:serving} (vals (get-in op [:value :restarted]))) (pr-str (:value op)))))
       (testing "clock ops record every node's clock"
         (is (seq (done :clock)))
         (doseq [op (concat (done :clock) (done :clock-reset))]
           (is (= 5 (count (get-in op [:value :clocks]))))))
       (testing "membership: a voter removed, then added back"
         (is (some #(get-in % [:value :removed]) (done :remove-voter)))
         (is (seq (done :add-voter))))
       (testing "delay: the messages to one node are held"
         (is (some #(= 4 (count (get-in % [:value :from]))) (done :start-delay))))
       (testing "the replicas agree after healing"
         (is (true? (get-in t [:results :replicas :valid?]))))
       (is (= nothing-left (leftovers)))))))

(deftest ^:integration a-run-that-crashes-during-faults-is-still-cleaned-up
  (support/call-with-results-dir
   (fn [dir]
     (let [test (tests/build-test (options ["--workload" "crash" "--schedule" "delayed-acks" "--time-limit" "30"
                                            "--results-dir" dir]))
           ;; lazyfs as well: mounts must go too
           test (assoc test :lazyfs-dirs [:wal :fsm]
                       :generator (let [n (atom 0)]
                                    (fn [] (if (< (swap! n inc) 200)
                                             {:f :add :value [0 @n]}
                                             (throw (IllegalStateException. "generator bug during a fault"))))))]
       (is (thrown-with-msg? IllegalStateException #"generator bug" (core/run-test! test)))
       (is (= nothing-left (leftovers)))))))

(deftest ^:integration ctrl-c-during-power-loss-and-delay-cleans-up
  (if-not (support/with-default-signals ["true"])
    (support/skip! "ctrl-c-during-power-loss-and-delay-cleans-up")
  (support/call-with-results-dir
   (fn [dir]
     (let [log-file (io/file dir "out.log")
           p (.start (doto (ProcessBuilder. ^java.util.List
                                            (support/with-default-signals
                                              ["java" "-cp" (System/getProperty "java.class.path") "clojure.main" "-m"
                                               "leasekv.harness.cli" "test" "--workload" "crash" "--nemesis" "power-loss,delay"
                                               "--nemesis-interval" "2" "--time-limit" "120" "--results-dir" (str dir)]))
                       (.redirectErrorStream true)
                       (.redirectOutput log-file)))]
       (try
         ;; The history is streamed: wait until a delay is in force (its completion is recorded).
         (util/await-fn (fn [] (some #(and (= "history.edn" (.getName ^java.io.File %))
                                           (str/includes? (slurp %) ":f :start-delay, :value {:receiver"))
                                     (file-seq (io/file dir))))
                        {:timeout-ms 180000 :interval-ms 1000 :what (str "a delay fault (see " log-file ")")})
         (shell/run! ["kill" "-INT" (str (.pid p))])
         (is (.waitFor p 300 TimeUnit/SECONDS))
         (is (= 130 (.exitValue p)))
         (finally (when (.isAlive p) (.destroyForcibly p))))
       (is (:aborted? (store/read-edn (io/file (store/resolve-run (str dir) nil) "results.edn"))))
       (is (= nothing-left (leftovers))))))))

(deftest ^:integration cleanup-removes-a-dead-lazyfs-mount
  (let [remote (local/remote)
        test {:nodes ["n1"] :remote remote :lazyfs-dirs [:wal] :base-dir base-dir}]
    (try
      (c/setup-cluster! remote ["n1"])
      (lazyfs/setup! test "n1")
      (is (= 1 (count (lazyfs/leftover-mounts base-dir))))
      ;; kill -9 the mount daemon: a dead mount ("Transport endpoint is not connected") stays
      (c/exec! remote "n1" (str "kill -9 $(cat " (:pid (lazyfs/paths test "n1" :wal)) ")"))
      (Thread/sleep 500)
      (is (= 1 (count (lazyfs/leftover-mounts base-dir))))
      (is (zero? (cli/cleanup-cmd [])))
      (is (= nothing-left (leftovers)))
      (is (not (.exists (io/file base-dir))))
      (finally (local/cleanup!) (lazyfs/cleanup-local! base-dir)))))
