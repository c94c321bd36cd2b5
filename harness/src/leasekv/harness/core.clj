(ns leasekv.harness.core
  "Runs one test from start to end:
    setup        the remote's cluster (namespaces or SSH), the DB on every node, client setup,
                 the nemesis;
    run          the generator (clients and nemesis side by side) until its time limit;
    heal         every partition healed, every paused node resumed, every killed node restarted;
    final reads  the workload's final generator, if any;
    teardown     node logs downloaded, DB wiped, cluster removed (unless --leave-db-running);
    checking     the composed checker over the history, results.edn written.
  Heal, log download and teardown run whatever happened before them, also after an exception
  or a Ctrl-C or SIGTERM (a JVM shutdown hook aborts the run and waits for them)."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.client :as client]
            [leasekv.harness.control :as control]
            [leasekv.harness.db :as db]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.history :as h]
            [leasekv.harness.interpreter :as interpreter]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.report :as report]
            [leasekv.harness.run-summary :as run-summary]
            [leasekv.harness.store :as store]
            [leasekv.harness.util :as util]
            [leasekv.harness.web :as web]))

(defn phase!
  "Announces a phase, runs f, announces how long it took. Returns f's value."
  [phase-name f]
  (log/info! (str "=== " phase-name " ==="))
  (let [t0 (System/nanoTime)]
    (try (let [v (f)]
           (log/info! (str "=== " phase-name " done in " (util/fraction-str 1 (util/nanos->secs (- (System/nanoTime) t0))) " s ==="))
           v)
         (catch Throwable t
           (log/warn! (str "=== " phase-name " failed after " (util/fraction-str 1 (util/nanos->secs (- (System/nanoTime) t0))) " s: " (.getMessage t) " ==="))
           (throw t)))))

(defn progress-line
  "Returns the progress line for a running test."
  [test]
  (let [elapsed (util/nanos->secs (- (System/nanoTime) (:start-nanos test)))
        {:keys [ok fail info] :or {ok 0 fail 0 info 0}} @(:stats test)
        done (+ ok fail info)]
    (str (util/fraction-str 0 elapsed) "/" (:time-limit test) " s"
         " | " done " ops (" (util/fraction-str 1 (if (pos? elapsed) (/ done elapsed) 0)) " ops/s)"
         " | ok " ok " fail " fail " info " info
         " | faults: " (nemesis/active-faults (:nemesis test)))))

(defn- start-progress! [test]
  (let [interval-ms (long (* 1000 (:progress-interval test 5)))]
    (doto (Thread. (fn []
                     (try (loop []
                            (Thread/sleep interval-ms)
                            (log/info! (progress-line test))
                            (recur))
                          (catch InterruptedException _ nil)))
                   "progress")
      (.setDaemon true)
      (.start))))

(defn- download-logs! [test]
  (when (satisfies? db/LogFiles (:db test))
    (util/on-nodes! test
                    (fn [test node]
                      (doseq [[remote-path local-name] (db/log-files (:db test) test node)]
                        (try (control/download! (:remote test) node remote-path (store/path test node local-name))
                             (catch Exception e
                               (log/warn! "Could not download" remote-path "from" node ":" (.getMessage e)))))))))

(defn- record-heal! [test f]
  (let [rec (:history test)
        inv (h/record! rec {:type :info :process :nemesis :f :heal :value nil
                            :time (interpreter/relative-time test)})
        result (try (f) (catch Exception e {:error (.getMessage e)}))]
    (h/record! rec (cond-> {:type :info :process :nemesis :f :heal :value result
                            :time (interpreter/relative-time test)}
                     (:failed-starts result) (assoc :failed-starts (:failed-starts result))))
    (nemesis/note-healed! (:nemesis test))
    inv))

(defn- main-generator [test]
  (gen/time-limit (:time-limit test)
                  (gen/nemesis (:nemesis-generator test)
                               (gen/rate (:rate test) (:generator test)))))

(defn- run-phases!
  "Setup through final reads. Returns the test."
  [test]
  (phase! "setup"
          (fn []
            (control/setup-cluster! (:remote test) (:nodes test))
            (db/cycle! test)
            (let [c (client/open! (:client test) test (first (:nodes test)))]
              (try (client/setup! c test) (finally (client/close! c test))))
            (nemesis/setup! (:nemesis test) test)))
  (let [test (assoc test :start-nanos (System/nanoTime))
        progress (start-progress! test)]
    (try
      (phase! "run" #(interpreter/run! (assoc test :generator (main-generator test))))
      (phase! "heal" #(record-heal! test (fn [] (nemesis/heal! test))))
      (when-let [final (:final-generator test)]
        (when-not @(:abort test)
          (phase! "final reads" #(interpreter/run! (assoc test :generator final :drain-timeout-ms 30000)))))
      (finally (.interrupt ^Thread progress)))
    test))

(defn- cleanup! [test healed?]
  (when-not healed?
    (try (phase! "heal" #(nemesis/heal! test))
         (catch Throwable t (log/error! t "Heal failed"))))
  (try (phase! "log download" #(download-logs! test))
       (catch Throwable t (log/error! t "Log download failed")))
  (if (:leave-db-running test)
    (log/info! "Leaving the DB running (--leave-db-running); `lein run cleanup` removes it")
    (try (phase! "teardown"
                 (fn []
                   (try (util/on-nodes! test #(db/teardown! (:db test) %1 %2))
                        (finally (control/teardown-cluster! (:remote test))))))
         (catch Throwable t (log/error! t "Teardown failed")))))

(defn analyze!
  "Checks a history with the test's checker and stores results.edn. Returns the results."
  [test history]
  (let [results (report/annotate (phase! "checking" #(checker/check-safe (:checker test) test history {})))]
    (store/save-results! test results)
    (log/info! "Results in" (:store-dir test))
    (doseq [line (:findings results)] (log/info! "Finding:" line))
    results))

(defonce ^:private current-run (atom nil))
(defonce ^:private hook-installed? (atom false))

(defn- on-shutdown []
  (when-let [{:keys [abort done test]} @current-run]
    (when-not (realized? done)
      (log/warn! "Interrupted: aborting the run, then healing and tearing down")
      (reset! abort true)
      (when (= ::timeout (deref done 180000 ::timeout))
        (log/warn! "Cleanup did not finish in time; removing the cluster")
        (try (control/teardown-cluster! (:remote test)) (catch Throwable _ nil))))))

(defn install-shutdown-hook!
  "Installs (once per JVM) a shutdown hook: on Ctrl-C or SIGTERM it aborts the current run and waits up to
  3 minutes for its heal, log download and teardown; if they do not finish, it removes the
  cluster itself. Returns nil."
  []
  (when (compare-and-set! hook-installed? false true)
    (.addShutdownHook (Runtime/getRuntime) (Thread. ^Runnable on-shutdown "leasekv-harness-shutdown")))
  nil)

(defn log-summary!
  "Logs the run's summary (leasekv.harness.run-summary): ops, faults, checkers, verdict. It never
  throws: a run's end must not break on its summary. Returns nil."
  [test results history]
  (try (doseq [line (run-summary/lines test results history)] (log/info! line))
       (catch Throwable t (log/error! t "No summary:" (str t)))))

(defn run-test!
  "Takes a complete test map (see leasekv.harness.cli/build-test). Runs it through every phase,
  stores the run and returns the test with :results. A crash is logged and rethrown after
  cleanup; an aborted run is stored with :valid? :unknown and :aborted? true. Every run, whatever
  its outcome, ends with its summary in the log."
  [test]
  (let [stamp (store/timestamp)
        test (assoc test
                    :store-dir (store/run-dir (:results-root test) (:name test) stamp)
                    :abort (atom false)
                    :stats (atom {})
                    :start-nanos (System/nanoTime))
        test (assoc test :history (h/recorder (store/path test "history.edn")))
        done (promise)
        results-of-run (volatile! nil)]
    (store/prepare! test (:options test))
    (log/open-file! (store/path test "harness.log"))
    (checker/preload-linearizable!)
    (install-shutdown-hook!)
    (reset! current-run {:abort (:abort test) :done done :test test})
    (log/info! "Test" (:name test) "->" (:store-dir test))
    (try
      (let [healed? (volatile! false)
            test (try (let [t (run-phases! test)] (vreset! healed? true) t)
                      (finally (cleanup! test @healed?)
                               (h/close! (:history test))))
            history (h/ops (:history test))]
        (if @(:abort test)
          (let [results {:valid? :unknown :aborted? true
                         :error "interrupted; run `lein run analyze` to check the partial history"}]
            (store/save-results! test results)
            (assoc test :results (vreset! results-of-run results)))
          (assoc test :results (vreset! results-of-run (analyze! test history)))))
      (catch Throwable t
        (log/error! t "Test crashed")
        (store/save-results! test (vreset! results-of-run {:valid? :crashed :error (str (.getName (class t)) ": " (.getMessage t))}))
        (throw t))
      (finally
        (log-summary! test @results-of-run (h/ops (:history test)))
        (deliver done true)
        (log/close-file!)
        (web/after-run! test)))))

(defn exit-code
  "Returns the exit code for a results map: 0 valid, 1 invalid, 2 unknown, 255 crashed."
  [results]
  (let [v (:valid? results)]
    (cond (true? v) 0 (false? v) 1 (= :crashed v) 255 :else 2)))
