(ns leasekv.harness.checker.stale
  "The stale-read report for one register: reads that returned a value which had certainly been
  overwritten before the read began. Such a read proves the history is not linearizable, and the
  report says in plain words which write it missed, by how much, and which node served it.

  A read R that returned v is stale when some acknowledged write W (a write, or a successful cas,
  of a value other than v) completed before R was invoked, and W was invoked after every
  operation that could have written v had completed (so v was already replaced by W, whatever
  the order of concurrent operations). A write that never completed (:info) could land at any
  later time, so it never makes a read stale; reads of the initial nil are stale once any write
  completed before them.

  Ops are named by the history index of their completion: the read's :ok and the missed write's
  acknowledgement (its :ok; the invocation's index is :invoke-index), as the Java checker names
  them, so the two checkers' reports of one read name the same write the same way."
  (:require [leasekv.harness.checker :as checker]
            [leasekv.harness.history :as h]))

(def ^:private never Long/MAX_VALUE)

(defn- written-value
  "Returns the value a write-like completion would have stored, or ::none."
  [{:keys [f value]}]
  (case f
    :write value
    :cas (second value)
    ::none))

(defn stale-reads
  "Takes one register's history (plain values, :f :read/:write/:cas). Returns the stale reads,
  each a map with the read, the overwriting write and the gap in milliseconds."
  [history]
  (let [pairs (h/pair-index history)
        invokes (filter h/invoke? history)
        writes (for [inv invokes
                     :let [c (get pairs (:index inv))
                           v (written-value inv)]
                     :when (and (not= ::none v) (not= :fail (:type c)))]
                 {:value v :invoke (:time inv) :complete (if (= :ok (:type c)) (:time c) never)
                  :ok? (= :ok (:type c)) :index (if (= :ok (:type c)) (:index c) (:index inv))
                  :invoke-index (:index inv) :f (:f inv)})
        last-writer-complete (reduce (fn [m w] (update m (:value w) (fnil max Long/MIN_VALUE) (:complete w)))
                                     {} writes)
        acked (filter :ok? writes)]
    (vec (for [inv invokes
               :when (= :read (:f inv))
               :let [c (get pairs (:index inv))]
               :when (= :ok (:type c))
               :let [v (:value c)
                     writers-done (get last-writer-complete v (if (nil? v) Long/MIN_VALUE never))
                     overwrites (filter #(and (not= v (:value %))
                                              (< (:complete %) (:time inv))
                                              (> (:invoke %) writers-done))
                                        acked)]
               :when (seq overwrites)
               :let [w (apply max-key :complete overwrites)]]
           {:read-index (:index c)
            :read-value v
            :read-invoked-at-ms (/ (:time inv) 1e6)
            :node (:node c)
            :served-by (:served-by c)
            :term (:term c)
            :read-mode (:read-mode c)
            :missed-write {:index (:index w) :invoke-index (:invoke-index w) :f (:f w) :value (:value w)
                           :completed-at-ms (/ (:complete w) 1e6)}
            :stale-by-ms (/ (- (:time inv) (:complete w)) 1e6)}))))

(defn explain
  "Returns one sentence describing a stale read."
  [{:keys [read-index read-value node served-by term read-mode missed-write stale-by-ms]}]
  (str "Read #" read-index " returned " (pr-str read-value)
       (when node (str " from " node))
       (when (or served-by read-mode)
         (str " (" (when read-mode (str (name read-mode) " read"))
              (when served-by (str (when read-mode ", ") "served by " served-by (when term (str " in term " term))))
              ")"))
       ", but " (name (:f missed-write)) " #" (:index missed-write) " of " (pr-str (:value missed-write))
       " had been acknowledged " (format "%.1f" (double stale-by-ms)) " ms before the read began."))

(defn checker
  "Returns a checker for one register's history: invalid when it finds stale reads, listing up
  to 20 with an explanation each; otherwise valid (finding none proves nothing more)."
  []
  (reify checker/Checker
    (check [_ _ history _]
      (let [stale (stale-reads history)]
        {:valid? (empty? stale)
         :stale-count (count stale)
         :stale-reads (vec (take 20 (map #(assoc % :explanation (explain %)) stale)))}))))
