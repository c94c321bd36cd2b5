(ns leasekv.harness.interpreter
  "Runs a pure generator against real clients and the nemesis. One worker thread per client
  thread plus one for the nemesis; the interpreter alone asks the generator for ops, hands each
  to its thread's worker, and records every invocation and completion in the history.

  A client thread opens a client for its process on its node (thread i talks to node i mod n);
  when an op ends :info the process is retired, and the thread's next op comes from a new process
  with a freshly opened client."
  (:refer-clojure :exclude [run!])
  (:require [leasekv.harness.client :as client]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.history :as h]
            [leasekv.harness.log :as log]
            [leasekv.harness.nemesis :as nemesis])
  (:import (java.util.concurrent ArrayBlockingQueue LinkedBlockingQueue TimeUnit)))

(defn relative-time
  "Returns the nanoseconds since the test's :start-nanos."
  [test]
  (- (System/nanoTime) (:start-nanos test)))

(defn node-for-thread
  "Returns the node that client thread t talks to."
  [test t]
  (let [nodes (vec (:nodes test))] (nodes (mod t (count nodes)))))

(defn- ensure-completion
  "Returns a client's answer as a completion of op, turning a malformed answer into :info."
  [op answer]
  (if (and (map? answer) (#{:ok :fail :info} (:type answer)))
    (assoc answer :process (:process op) :f (:f op))
    (assoc op :type :info :error [:bad-client-answer (pr-str answer)])))

(defn- invoke-client [test state op]
  (let [{:keys [client process]} @state
        thread (gen/process->thread {:concurrency (:concurrency test)} (:process op))]
    (try
      (let [c (if (and client (= process (:process op)))
                client
                (do (when client (try (client/close! client test) (catch Exception _)))
                    (let [c (client/open! (:client test) test (node-for-thread test thread))]
                      (reset! state {:client c :process (:process op)})
                      c)))]
        (ensure-completion op (client/invoke! c test op)))
      (catch Exception e
        (if (and (:client @state) (= (:process @state) (:process op)))
          (assoc op :type :info :error [:exception (.getName (class e)) (.getMessage e)] :exception e)
          (do (reset! state {})
              (assoc op :type :fail :error [:no-client (.getMessage e)])))))))

(defn- invoke-nemesis [test op]
  (try (let [r (nemesis/invoke! (:nemesis test) test op)] (assoc r :type :info))
       (catch Exception e
         (log/error! e "Nemesis op failed:" (pr-str (dissoc op :time)))
         (assoc op :type :info :error [:exception (.getName (class e)) (.getMessage e)] :exception e))))

(defn- run-op [test client-state op]
  (case (:type op)
    :sleep (do (Thread/sleep (long (* 1000 (:value op)))) op)
    :log (do (log/info! (:value op)) op)
    (if (= :nemesis (:process op))
      (invoke-nemesis test op)
      (invoke-client test client-state op))))

(defn- worker
  "Starts the worker thread for thread t. Returns its input queue."
  [test t ^LinkedBlockingQueue done]
  (let [in (ArrayBlockingQueue. 1)
        client-state (atom {})]
    (doto (Thread.
           (fn []
             (try
               (loop []
                 (let [op (.take in)]
                   (when-not (= ::stop op)
                     (let [c (try (run-op test client-state op)
                                  (catch Throwable e (assoc op :type :info :exception e :error [:crashed (str e)])))]
                       (.put done c))
                     (recur))))
               (catch InterruptedException _ nil)
               (finally
                 (when-let [c (:client @client-state)]
                   (try (client/close! c test) (catch Exception _ nil))))))
           (str "worker-" (if (keyword? t) (name t) t)))
      (.setDaemon true)
      (.start))
    in))

(defn- recorded? [op] (not (#{:sleep :log} (:type op))))

(defn- count-completion! [stats op]
  (when (and (recorded? op) (integer? (:process op)))
    (swap! stats update (:type op) (fnil inc 0))))

(defn run!
  "Takes a test with :generator, :client, :nemesis, :concurrency, :nodes, :history (a recorder),
  :start-nanos, :stats (an atom; completion counts by :type are added to it) and :abort (an atom:
  once true, no new op starts). Runs the generator to its end, recording every client and
  nemesis op. Returns the final context. Waits at most :drain-timeout-ms (default 60000) for the
  ops still running at the end; ops that never completed stay open in the history (indeterminate)."
  [test]
  ;; Completions are stamped when the interpreter records them, not when the worker finished, so
  ;; that time order and index order agree (a completion recorded after an invocation never looks
  ;; earlier than it; checkers may rely on either order).
  (let [done (LinkedBlockingQueue.)
        ctx0 (gen/context (:concurrency test))
        queues (into {} (for [t (:threads ctx0)] [t (worker test t done)]))
        stats (:stats test (atom {}))
        complete (fn [[ctx g] op]
                   (count-completion! stats op)
                   (let [op (assoc op :time (relative-time test))
                         op (if (recorded? op) (h/record! (:history test) (cond-> op (:exception op) (update :exception h/edn-safe))) op)
                         ctx (gen/on-complete (assoc ctx :time (:time op)) op)]
                     [ctx (gen/update g test ctx op)]))]
    (try
      (loop [ctx ctx0 g (:generator test) outstanding 0]
        (let [ctx (assoc ctx :time (relative-time test))
              polled (.poll done)]
          (cond
            polled
            (let [[ctx g] (complete [ctx g] polled)] (recur ctx g (dec outstanding)))

            @(:abort test (atom false))
            (do (log/warn! "Run aborted; waiting for" outstanding "ops in flight")
                (loop [n outstanding]
                  (when (pos? n)
                    (when-let [op (.poll done 10 TimeUnit/SECONDS)]
                      (complete [ctx g] op) (recur (dec n)))))
                ctx)

            :else
            (let [r (gen/op g test ctx)]
              (cond
                (nil? r)
                (if (zero? outstanding)
                  ctx
                  (if-let [op (.poll done (:drain-timeout-ms test 60000) TimeUnit/MILLISECONDS)]
                    (let [[ctx g] (complete [ctx g] op)] (recur ctx g (dec outstanding)))
                    (do (log/warn! outstanding "ops never completed; leaving them open") ctx)))

                (= :pending r)
                (if-let [op (.poll done 100 TimeUnit/MILLISECONDS)]
                  (let [[ctx g] (complete [ctx g] op)] (recur ctx g (dec outstanding)))
                  (recur ctx g outstanding))

                :else
                (let [[o g'] r
                      wait-nanos (- (:time o) (:time ctx))]
                  (if (pos? wait-nanos)
                    (if-let [op (.poll done (min wait-nanos 100000000) TimeUnit/NANOSECONDS)]
                      (let [[ctx g] (complete [ctx g] op)] (recur ctx g (dec outstanding)))
                      (recur ctx g outstanding))
                    (let [o (assoc o :time (relative-time test))
                          thread (gen/process->thread ctx (:process o))
                          o (if (recorded? o) (h/record! (:history test) o) o)
                          ctx (gen/on-invoke ctx o)]
                      (.put ^ArrayBlockingQueue (queues thread) o)
                      (recur ctx (gen/update g' test ctx o) (inc outstanding))))))))))
      (finally
        (doseq [^ArrayBlockingQueue q (vals queues)] (.offer q ::stop))))))
