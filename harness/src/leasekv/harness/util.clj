(ns leasekv.harness.util
  "Small helpers shared by the harness: parallel maps that surface every failure,
  polling with a deadline, time units."
  (:import (java.util.concurrent ExecutionException Executors Future TimeUnit)))

(defn nanos->secs [nanos] (/ (double nanos) 1e9))
(defn secs->nanos [secs] (long (* secs 1e9)))
(defn nanos->millis [nanos] (/ (double nanos) 1e6))

(defn real-pmap
  "Takes f and a collection. Calls f on every element, each on its own thread, and waits for all.
  Returns the results in order. If any call throws, the first exception (in collection order) is
  rethrown after every call has finished, so no call is left running behind the caller's back."
  [f coll]
  (let [xs (vec coll)
        pool (Executors/newFixedThreadPool (max 1 (count xs)))]
    (try
      (let [futures (mapv (fn [x] (.submit pool ^Callable (fn [] (f x)))) xs)
            outcomes (mapv (fn [^Future fut]
                             (try {:value (.get fut)}
                                  (catch ExecutionException e {:error (.getCause e)})))
                           futures)]
        (when-let [e (some :error outcomes)] (throw e))
        (mapv :value outcomes))
      (finally (.shutdownNow pool)))))

(defn on-nodes!
  "Takes a test and f of (test node). Calls f on every node of the test in parallel.
  Returns a map of node to result; rethrows the first failure after all calls finished."
  ([test f] (on-nodes! test (:nodes test) f))
  ([test nodes f]
   (zipmap nodes (real-pmap #(f test %) nodes))))

(defn await-fn
  "Takes a zero-argument function, and options :timeout-ms (default 60000), :interval-ms (default
  250) and :what (a description for the error). Calls f until it returns a truthy value without
  throwing, and returns that value. Throws ex-info naming :what, with the last exception as cause,
  when the deadline passes."
  [f {:keys [timeout-ms interval-ms what] :or {timeout-ms 60000 interval-ms 250 what "condition"}}]
  (let [deadline (+ (System/nanoTime) (* 1000000 (long timeout-ms)))]
    (loop []
      (let [[ok? v] (try [true (f)] (catch Exception e [false e]))]
        (cond
          (and ok? v) v
          (> (System/nanoTime) deadline)
          (throw (ex-info (str "Timed out after " timeout-ms " ms waiting for " what
                               (when-not ok? (str ": " (.getMessage ^Exception v))))
                          {:what what :timeout-ms timeout-ms}
                          (when-not ok? v)))
          :else (do (Thread/sleep (long interval-ms)) (recur)))))))

(defn with-deadline
  "Takes a timeout in ms and a zero-argument function. Runs f on another thread and returns its
  value, or throws ex-info {:type :timeout} when it takes longer (interrupting it)."
  [timeout-ms f]
  (let [fut (future-call f)
        v (deref fut timeout-ms ::timeout)]
    (if (= v ::timeout)
      (do (future-cancel fut)
          (throw (ex-info (str "Timed out after " timeout-ms " ms") {:type :timeout})))
      v)))

(defn majority
  "Returns the smallest number of nodes that is more than half of n."
  [n]
  (inc (quot n 2)))

(defn fraction-str
  "Formats a double with the given number of decimals."
  [decimals x]
  (format (str "%." decimals "f") (double x)))
