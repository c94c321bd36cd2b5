(ns leasekv.harness.web.fixtures
  "Synthetic stored runs for the viewer's tests: register histories simulated from a real
  sequential execution (so the checker finds them valid), optionally ending in a stale read
  (so it finds them invalid, with a stale-read report), with faults and node logs, written in
  the harness's own run layout."
  (:require [clojure.java.io :as io]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.history :as h]
            [leasekv.harness.store :as store]
            [leasekv.harness.workloads.register :as register])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)
           (java.util Random)))

(defn temp-dir ^java.io.File [prefix]
  (.toFile (Files/createTempDirectory prefix (make-array FileAttribute 0))))

(defn delete-tree! [f]
  (doseq [^java.io.File x (reverse (file-seq (io/file f)))] (.delete x)))

(def ms 1000000)

(defn- simulate-process
  "One client's ops, back to back: [{:process :key :f :arg :inv :done :lp}]."
  [^Random rnd process keys ops-per-process start-ns]
  (loop [i 0 t start-ns out []]
    (if (= i ops-per-process)
      out
      (let [latency (if (< (.nextDouble rnd) 0.03) (* (+ 200 (.nextInt rnd 400)) ms) (* (+ 1 (.nextInt rnd 15)) ms))
            r (.nextInt rnd 10)
            f (cond (< r 5) :read (< r 8) :write :else :cas)
            arg (case f :read nil :write (.nextInt rnd 5) :cas [(.nextInt rnd 5) (.nextInt rnd 5)])]
        (recur (inc i) (+ t latency (* (inc (.nextInt rnd 3)) ms))
               (conj out {:process process :key (mod process keys) :f f :arg arg :inv t :done (+ t latency)
                          :lp (+ t (long (* (.nextDouble rnd) latency)))}))))))

(defn- apply-in-order
  "Applies the ops at their linearization points to per-key registers. Returns them with
  :type and the value each op's completion reports."
  [ops ^Random rnd]
  (first
   (reduce (fn [[out state] {:keys [key f arg] :as op}]
             (let [cur (get state key)
                   node (str "n" (inc (mod (:process op) 5)))
                   crashed? (and (not= f :read) (< (.nextDouble rnd) 0.01))]
               (case f
                 :read [(conj out (assoc op :type :ok :result [key cur] :node node :served-by node :term 2 :read-mode :lease)) state]
                 :write [(conj out (assoc op :type (if crashed? :info :ok) :result [key arg] :node node)) (assoc state key arg)]
                 :cas (let [ok? (= cur (first arg))]
                        [(conj out (assoc op :type (cond crashed? :info ok? :ok :else :fail) :result [key arg] :node node))
                         (if (and ok? (not crashed?)) (assoc state key (second arg)) state)]))))
           [[] {}]
           (sort-by :lp ops))))

(defn- stale-read-tail
  "Three ops on key 0 after everything else: write 100, write 200, then a read of 100 that began
  after 200 was acknowledged, served by n3 in term 3."
  [start-ns processes]
  (let [p (+ processes 1000)]
    [{:process p :key 0 :f :write :arg 100 :inv start-ns :done (+ start-ns (* 2 ms)) :type :ok :result [0 100] :node "n1"}
     {:process p :key 0 :f :write :arg 200 :inv (+ start-ns (* 3 ms)) :done (+ start-ns (* 5 ms)) :type :ok :result [0 200] :node "n1"}
     {:process (inc p) :key 0 :f :read :arg nil :inv (+ start-ns (* 17 ms)) :done (+ start-ns (* 19 ms)) :type :ok
      :result [0 100] :node "n3" :served-by "n3" :term 3 :read-mode :lease}]))

(defn- concurrent-writes-stale-tail
  "Four ops on key 0 after everything else: write 100, write 200 concurrent with it and with
  write 300, which begins after 100 was acknowledged; then a read of 100. The read certainly
  missed 300; 200 was acknowledged last, so the linearizability checker names 200 and the
  stale-read checker 300."
  [start-ns processes]
  (let [p (+ processes 1000)
        at #(+ start-ns (* % ms))]
    [{:process p :key 0 :f :write :arg 100 :inv (at 0) :done (at 10) :type :ok :result [0 100] :node "n1"}
     {:process (+ p 1) :key 0 :f :write :arg 200 :inv (at 5) :done (at 15) :type :ok :result [0 200] :node "n1"}
     {:process (+ p 2) :key 0 :f :write :arg 300 :inv (at 11) :done (at 13) :type :ok :result [0 300] :node "n1"}
     {:process (+ p 3) :key 0 :f :read :arg nil :inv (at 20) :done (at 22) :type :ok
      :result [0 100] :node "n3" :served-by "n3" :term 3 :read-mode :lease}]))

(defn- nemesis-ops
  "A partition (isolating n3), a kill and restart, a transfer, and a pause never resumed
  (ended by the final heal), spread over the run."
  [end-ns]
  (let [at #(long (* % end-ns))
        grudge {"n3" #{"n1" "n2" "n4" "n5"} "n1" #{"n3"} "n2" #{"n3"} "n4" #{"n3"} "n5" #{"n3"}}]
    [{:f :start-partition :inv (at 0.2) :done (+ (at 0.2) (* 5 ms)) :value :isolate-leader :result {:kind :isolate-leader :grudge grudge}}
     {:f :stop-partition :inv (at 0.4) :done (+ (at 0.4) (* 5 ms)) :value nil :result :healed}
     {:f :kill :inv (at 0.5) :done (+ (at 0.5) (* 30 ms)) :value :minority :result {"n2" :killed "n5" :killed}}
     {:f :start :inv (at 0.6) :done (+ (at 0.6) (* 40 ms)) :value nil :result {"n2" :started "n5" :started}}
     {:f :transfer-leadership :inv (at 0.7) :done (+ (at 0.7) (* 20 ms)) :value nil :result "n1 -> n4: OK"}
     {:f :pause :inv (at 0.8) :done (+ (at 0.8) (* 5 ms)) :value :one :result {"n4" :paused}}
     {:f :heal :inv (+ end-ns (* 10 ms)) :done (+ end-ns (* 20 ms)) :value nil :result {:resumed {"n4" :resumed}}}]))

(defn register-history
  "A register history with :processes clients over :keys keys, :ops-per-process ops each, plus
  faults; with :stale? a stale read at the end (:stale? :concurrent-writes: one that missed two
  writes, see concurrent-writes-stale-tail). Ops have :index and :time like a real run's."
  [{:keys [processes keys ops-per-process seed stale?] :or {processes 10 keys 5 ops-per-process 50 seed 42}}]
  (let [rnd (Random. seed)
        client (apply-in-order (mapcat #(simulate-process rnd % keys ops-per-process (* % 100000)) (range processes)) rnd)
        end (reduce max 0 (map :done client))
        tail (if (= :concurrent-writes stale?) concurrent-writes-stale-tail stale-read-tail)
        client (cond-> client stale? (into (tail (+ end (* 10 ms)) processes)))
        end (reduce max 0 (map :done client))
        events (concat
                (for [{:keys [process f arg key inv]} client]
                  {:time inv :type :invoke :process process :f f :value [key arg]})
                (for [{:keys [process f done type result] :as op} client]
                  (merge {:time done :type type :process process :f f :value result}
                         (select-keys op [:node :served-by :term :read-mode])))
                (for [{:keys [f inv done value result]} (nemesis-ops end)
                      op [{:time inv :type :info :process :nemesis :f f :value value}
                          {:time done :type :info :process :nemesis :f f :value result}]]
                  op))]
    (vec (map-indexed (fn [i op] (assoc op :index i)) (sort-by :time events)))))

(defn write-history! [file ops]
  (io/make-parents file)
  (with-open [w (io/writer file)]
    (doseq [op ops] (.write w (str (h/op->edn op) "\n")))))

(defn register-checker
  "The checker a register run gets: the workload's (linearizability and stale reads), stats,
  exceptions and perf."
  []
  (checker/compose {:workload (register/register-checker {:linear-time-limit 30})
                    :stats (checker/stats)
                    :exceptions (checker/unhandled-exceptions)
                    :perf (checker/perf)}))

(defn write-run!
  "Writes a run as the harness would: root/name/stamp with test.edn, history.edn, results.edn
  (given, or from the real register checker when :check? is set, which also writes linear/*.svg),
  harness.log and a store.log per node. Returns the run directory."
  [root name stamp {:keys [history options results check? nodes] :or {nodes ["n1" "n2" "n3" "n4" "n5"]}}]
  (let [dir (io/file root name stamp)
        test {:results-root (str root) :name name :store-dir (.getPath dir)}]
    (store/prepare! test (merge {:workload "register" :nemesis "partition,kill" :db "leasekv" :concurrency "2n"
                                 :nodes "n1,n2,n3,n4,n5" :time-limit 30} options))
    (write-history! (io/file dir "history.edn") history)
    (spit (io/file dir "harness.log") "2026-01-01 00:00:00.000 INFO [main] === setup ===\n")
    (doseq [n nodes]
      (io/make-parents (io/file dir n "store.log"))
      (spit (io/file dir n "store.log") (str "2026-01-01T00:00:00Z INFO node " n " role=follower term=1 leader=n1\n")))
    (cond
      results (store/save-results! test results)
      check? (store/save-results! test (checker/check-safe (register-checker) test history {})))
    dir))
