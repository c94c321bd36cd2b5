(ns leasekv.harness.run-summary
  "The short summary printed at the end of every run, valid or not (as Jepsen prints its results
  last): the client ops per :f by outcome, the faults the nemesis injected by kind with counts,
  each checker's verdict, and the verdict with the run directory. One screen; the details are in
  results.edn and the viewer.

    Summary of leasekv-register-kill+partition (3,912 client ops, 4 faults)
      ops        ok  fail  info
      read     1204     3    10
      write     800    20    15
      faults   kill 2 (one 1, leader 1); partition 2 (isolate-leader 1, bridge 1)
      checkers exceptions true; perf true; stats true; workload true (linearizable true, stale-reads true)
    Verdict: true -> results/leasekv-register-kill+partition/20261206T101500.000"
  (:require [clojure.string :as str]
            [clojure.walk :as walk]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.web.history :as wh]))

(defn op-counts
  "Client completions per :f: a sorted map f -> {:ok-count :fail-count :info-count}, as the stats
  checker counts them."
  [history]
  (:by-f (checker/check (checker/stats) nil history {})))

(defn- fault-kind
  "A fault's kind from its label: the target after the family's name (`partition isolate-leader:
  n1 | n2,n3` -> `isolate-leader`), or the op when it is not the family's own (`kill-followers`);
  nil when the label names neither."
  [family label]
  (let [[op target] (str/split (first (str/split (str label) #":" 2)) #" ")]
    (if (= op (name family)) target op)))

(defn- as-read-back
  "The nemesis ops as they read back from history.edn: a run's own ops may hold sorted maps keyed
  by node name (a kill's {\"n2\" :killed}), which a keyword lookup cannot compare with."
  [history]
  (for [op history :when (= :nemesis (:process op))]
    (walk/postwalk #(if (and (map? %) (sorted? %)) (into {} %) %) op)))

(defn fault-counts
  "The faults the nemesis injected: a sorted map name -> {:count n :kinds {kind n}}. Faults that
  last (partitions, kills, pauses, clocks, ...) are counted by family and kind; instant ones
  (transfers, power losses) by :f. The final heal is not a fault."
  [history]
  (let [nemesis-ops (as-read-back history)
        {:keys [intervals events]} (wh/nemesis-activity nemesis-ops (wh/history-end history))
        lasting (for [{:keys [family label]} intervals] [(name family) (fault-kind family label)])
        instant (for [{:keys [f]} events :when (not= :heal f)] [(name f) nil])]
    (reduce (fn [m [fault kind]]
              (cond-> (update-in m [fault :count] (fnil inc 0))
                kind (update-in [fault :kinds kind] (fnil inc 0))))
            (sorted-map) (concat lasting instant))))

(defn- faults-line [faults]
  (if (empty? faults)
    "none"
    (str/join "; " (for [[fault {:keys [count kinds]}] faults]
                     (str fault " " count
                          (when (seq kinds)
                            (str " (" (str/join ", " (for [[k n] (sort-by (comp - val) kinds)] (str k " " n))) ")")))))))

(defn- verdict-of [r] (pr-str (:valid? r)))

(defn- checker-results
  "The entries of a results map that are checkers' results (maps with :valid?), by name."
  [results]
  ;; Not contains?: a result may hold a sorted map keyed by numbers (the crash workload's lists),
  ;; which cannot be asked for a keyword.
  (sort-by (comp str key) (filter (fn [[_ v]] (and (map? v) (some #{:valid?} (keys v)))) results)))

(defn- checkers-line
  "Each checker's verdict, with the verdicts of the checkers composed inside it."
  [results]
  (let [checkers (checker-results results)]
    (cond
      (:aborted? results) (str "not run: " (:error results))
      (= :crashed (:valid? results)) (str "not run: the run crashed (" (:error results) ")")
      (empty? checkers) "none"
      :else (str/join "; " (for [[k v] checkers
                                 :let [inner (for [[ik iv] (checker-results v)]
                                               (str (name ik) " " (verdict-of iv)))]]
                             (str (name k) " " (verdict-of v) (when (seq inner) (str " (" (str/join ", " inner) ")"))))))))

(defn- ops-table [counts]
  (let [width (reduce max 3 (map (comp count name key) counts))
        row (fn [f ok fail info] (format (str "  %-" width "s %7s %5s %5s") f ok fail info))]
    (into [(row "ops" "ok" "fail" "info")]
          (for [[f {:keys [ok-count fail-count info-count]}] counts]
            (row (name f) ok-count fail-count info-count)))))

(defn lines
  "Takes the test (:name, :store-dir), its results (nil when it crashed before having any) and
  its history. Returns the summary's lines."
  [test results history]
  (let [counts (op-counts history)
        faults (fault-counts history)
        total-ops (reduce + 0 (map (fn [[_ c]] (+ (:ok-count c) (:fail-count c) (:info-count c))) counts))
        total-faults (reduce + 0 (map (comp :count val) faults))]
    (vec (concat
          [(format "Summary of %s (%,d client %s, %d %s)" (:name test) total-ops (if (= 1 total-ops) "op" "ops")
                   total-faults (if (= 1 total-faults) "fault" "faults"))]
          (if (seq counts) (ops-table counts) ["  ops      none completed"])
          [(str "  faults   " (faults-line faults))
           (str "  checkers " (checkers-line (or results {:valid? :crashed :error "no results"})))
           (str "Verdict: " (verdict-of results) " -> " (:store-dir test))]))))
