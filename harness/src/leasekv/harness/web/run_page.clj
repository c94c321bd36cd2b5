(ns leasekv.harness.web.run-page
  "The page of one run (<run>/index.html): summary and links, the verdict's failures in plain
  words (stale reads, linearizability diagrams, lost elements, errors), the timeline and the
  perf charts (drawn by viewer.js from view-data.js), per-operation counts and latencies, every
  checker's verdict, the options, and the node logs."
  (:require [clojure.pprint :as pprint]
            [clojure.string :as str]
            [leasekv.harness.web.history :as wh]
            [leasekv.harness.web.html :as html]
            [leasekv.harness.web.index-page :as index-page]
            [leasekv.harness.web.runs :as runs]
            [leasekv.harness.web.series :as series])
  (:import (java.io File)))

(defn- edn-block
  "Pretty-printed EDN in a <pre>, cut to max-chars."
  [x max-chars]
  (let [s (binding [*print-length* 40 *print-level* 8 *print-namespace-maps* false]
            (with-out-str (pprint/pprint x)))]
    [:pre.edn (if (> (count s) max-chars) (str (subs s 0 max-chars) "\n…") s)]))

(defn- show [x] (cond (nil? x) "nil" (string? x) x :else (pr-str x)))

(defn- op-link
  "A history index that scrolls the timeline to that op."
  [index]
  (when index [:a.op-link {:href (str "#op-" index) :data-op index :title "Show in the timeline"} (str "#" index)]))

;; ---------------------------------------------------------------------------------------------
;; Failures

(defn- per-write
  "A cell with one line per missed write."
  [writes f]
  (for [w writes] [:div (f w)]))

(defn- stale-table [rows]
  (list
   [:table.data.stale
    [:thead [:tr (for [h ["key" "read" "returned" "node" "served by" "term" "read mode" "missed write" "of value" "stale by" "found by"]]
                   [:th h])]]
    [:tbody
     (for [{:keys [key read-index read-value node served-by term read-mode missed-writes]} rows]
       [:tr
        [:td (show key)] [:td (op-link read-index)] [:td (show read-value)] [:td node] [:td served-by]
        [:td term] [:td [:span.mode read-mode]]
        [:td (per-write missed-writes #(op-link (:write-index %)))]
        [:td (per-write missed-writes #(show (:write-value %)))]
        [:td.num (per-write missed-writes #(when-let [lag (:lag-ms %)] (format "%.1f ms" (double lag))))]
        [:td.source (per-write missed-writes #(str/join ", " (:sources %)))]])]]
   [:ul.explanations (for [e (distinct (mapcat :explanations rows))] [:li e])]))

(defn- linear-failure [{:keys [key explanation op configs diagram window-size]}]
  [:div.failure
   [:h3 "Key " (show key) ": not linearizable " (op-link (:index op))]
   [:p.explanation explanation]
   (when (seq configs)
     [:details [:summary "States the search reached just before the failing op (" (count configs) ")"]
      [:ul (for [c configs] [:li c])]])
   (when op [:details [:summary "The failing op, and " window-size " ops concurrent with it"] (edn-block op 4000)])
   (when diagram
     [:figure.diagram
      [:a {:href diagram :target "_blank"} [:img {:src diagram :alt (str "linearizability diagram for key " (show key))}]]
      [:figcaption "The checker's diagram (" [:a {:href diagram :target "_blank"} diagram] "): the failing op and the ops concurrent with it."]])])

(defn- set-result [{:keys [lost lost-count unexpected unexpected-count recovered-count acknowledged-count attempt-count indeterminate-count]}]
  [:div.failure
   [:h3 "Set: " (or lost-count (count lost)) " lost, " (or unexpected-count (count unexpected)) " unexpected"]
   [:p (str (or attempt-count "?") " adds attempted, " (or acknowledged-count "?") " acknowledged, "
            (or indeterminate-count "?") " indeterminate, " (or recovered-count "?") " indeterminate ones recovered by the final read.")]
   (when (seq lost) [:p "Lost (acknowledged, missing from the final read): " [:code (show (vec (take 200 lost)))]])
   (when (seq unexpected) [:p "Unexpected (read, never added): " [:code (show (vec (take 200 unexpected)))]])])

(defn failures-section
  "The failures part of the page; nil for a valid run with nothing to say."
  [{:keys [verdict note]} {:keys [findings linear unknown-keys stale-reads sets never-succeeded exceptions checks diagrams]}]
  (let [errors (filter :error checks)
        shown-diagrams (set (keep :diagram linear))
        bad-sets (remove #(true? (:valid? %)) sets)]
    (when (or note (seq linear) (seq unknown-keys) (seq stale-reads) (seq bad-sets) (seq never-succeeded)
              (seq errors) (seq exceptions) (not= :valid verdict))
      [:section#failures
       [:h2 "What went wrong"]
       (when note [:p.note-box {:class (str "v-" (name verdict))} note])
       (when (seq findings) [:ul.findings (for [f findings] [:li f])])
       (when (seq stale-reads)
         (list [:h3 "Stale reads (" (count stale-reads) ")"]
               [:p.hint "A read that returned a value already overwritten by a write acknowledged before the read began."]
               (stale-table stale-reads)))
       (map linear-failure linear)
       (for [d diagrams :when (not (shown-diagrams d))]
         [:figure.diagram [:a {:href d :target "_blank"} [:img {:src d :alt d}]] [:figcaption d]])
       (when (seq unknown-keys)
         (list [:h3 "Undecided keys (" (count unknown-keys) ")"]
               [:ul (for [{:keys [key cause reason]} (take 50 unknown-keys)]
                      [:li "key " (show key) ": " (or reason cause "unknown")])]))
       (map set-result bad-sets)
       (when (seq never-succeeded)
         (list [:h3 "Operations that never succeeded"]
               [:ul (for [{:keys [f count fail-count info-count]} never-succeeded]
                      [:li [:code f] ": " count " attempts, " fail-count " failed, " info-count " indeterminate"])]))
       (when (seq exceptions)
         (list [:h3 "Exceptions thrown by clients"]
               [:ul (for [{:keys [class count message]} exceptions] [:li [:code class] " × " count ": " message])]))
       (when (seq errors)
         (list [:h3 "Checker errors"]
               [:ul (for [{:keys [path error]} errors] [:li [:code (if (seq path) (str/join " / " (map show path)) "results")] ": " error])]))])))

;; ---------------------------------------------------------------------------------------------
;; Tables

(defn op-stats
  "Per :f: counts by outcome and latency quantiles (ms) of completed ops."
  [pairs]
  (for [[f ps] (sort-by (comp name key) (group-by :f pairs))]
    (let [outcome #(if-let [c (:complete %)] (:type c) :pending)
          counts (frequencies (map outcome ps))
          lat (vec (sort (for [p ps :let [[s e] (wh/op-time p)] :when (and s e (:invoke p))] (/ (- e s) 1e6))))]
      {:f (name f) :count (count ps) :ok (counts :ok 0) :fail (counts :fail 0) :info (counts :info 0)
       :pending (counts :pending 0)
       :latency (into {} (for [q series/quantiles] [q (series/quantile lat q)]))})))

(defn- stats-table [stats]
  [:table.data
   [:thead [:tr [:th "op"] [:th "total"] [:th "ok"] [:th "fail"] [:th "info"] [:th "pending"]
            (for [q series/quantiles] [:th (if (= 1.0 q) "max ms" (str "p" (str/replace (str (* 100 q)) #"\.0$" "") " ms"))])]]
   [:tbody
    (for [{:keys [f count ok fail info pending latency]} stats]
      [:tr [:td [:code f]] [:td.num count] [:td.num.ok ok] [:td.num.fail fail] [:td.num.info info] [:td.num pending]
       (for [q series/quantiles] [:td.num (when-let [v (latency q)] (format "%.1f" (double v)))])])]])

(defn- checks-table [checks]
  [:table.data.checks
   [:tbody
    (for [{:keys [path valid?]} checks]
      [:tr [:td {:style (str "padding-left:" (+ 6 (* 14 (count path))) "px")}
            [:code (if (seq path) (show (last path)) "overall")]]
       [:td (index-page/verdict-badge (cond (true? valid?) :valid (false? valid?) :invalid (= :crashed valid?) :crashed :else :unknown) nil)]])]])

(defn- options-table [options]
  [:table.data.options
   [:tbody (for [[k v] (sort-by (comp str key) options)] [:tr [:th (name k)] [:td [:code (show v)]]])]])

;; ---------------------------------------------------------------------------------------------
;; Links

(defn- file-link [^File dir name]
  (let [f (File. dir ^String name)]
    (when (.isFile f) [:a.file {:href name} name [:span.size (format " %,d KiB" (long (Math/ceil (/ (.length f) 1024.0))))]])))

(defn node-logs
  "Each node's directory in the run and the files in it: [[node [file ...]] ...]."
  [^File dir]
  (for [^File d (sort (.listFiles dir))
        :when (and (.isDirectory d) (not (#{"linear" "viewer"} (.getName d))))
        :let [files (sort (for [^File f (.listFiles d) :when (.isFile f)] (.getName f)))]
        :when (seq files)]
    [(.getName d) files]))

(defn- links [^File dir]
  [:div.links
   (for [n ["history.edn" "results.edn" "test.edn" "harness.log"]] (file-link dir n))
   (for [[node files] (node-logs dir) f files]
     (file-link dir (str node "/" f)))])

;; ---------------------------------------------------------------------------------------------

(defn- summary-section
  [{:keys [dir date duration-s op-count db workload nemesis tags]} {:keys [bad-lines first-bad-line]}]
  [:section#summary
   [:dl.summary
    [:dt "started"] [:dd (runs/format-date date)]
    [:dt "duration"] [:dd (index-page/format-duration duration-s)]
    [:dt "client ops"] [:dd (if op-count (format "%,d" (long op-count)) "–")]
    [:dt "db"] [:dd db]
    [:dt "workload"] [:dd workload]
    [:dt "nemesis"] [:dd nemesis]
    (when (seq tags) (list [:dt "options"] [:dd (for [t tags] [:span.tag t])]))]
   (links dir)
   (when (pos? (or bad-lines 0))
     [:p.warn (str bad-lines " line(s) of history.edn could not be read (first: line " first-bad-line
                   "); they are left out.")])])

(def ^:private plot-sections
  "The timeline and the charts: empty containers that viewer.js fills from view-data.js."
  (list
   [:section#timeline-section
    [:h2 "Timeline"]
    [:p.hint "One lane per process; ops coloured by outcome: " [:span.key.ok "ok"] [:span.key.fail "fail"]
     [:span.key.info "info (indeterminate)"] [:span.key.pending "never completed"] "; faults shaded. "
     "Wheel or +/− zooms, drag pans, double-click resets; hover an op for its details."]
    [:div#timeline]]
   [:section#charts
    [:h2 "Latency and throughput"]
    [:p.hint "Drag across a chart to zoom (all charts and the timeline follow), double-click to reset."]
    [:div#latency-raw.chart] [:div#latency-quantiles.chart] [:div#throughput.chart]]))

(defn render
  "Takes the run summary (web.runs/summary), the failure report (web.failures/report), the
  client pairs, the read problems of the history, and the relative path from the run to the
  results root. Returns the page's HTML."
  [{:keys [test stamp verdict note options] :as summary} report pairs read-problems root-path]
  (let [assets-path (str root-path "/viewer")]
    (html/document
     {:title (str test " " stamp " – " (index-page/verdict-labels verdict))
      :head (list [:meta {:name "generator" :content "leasekv-viewer"}]
                  [:link {:rel "stylesheet" :href (str assets-path "/viewer.css")}])
      :body-attrs {:class "run-page"}}
     [:header.page
      [:nav [:a {:href (str root-path "/index.html")} "← all runs"]]
      [:h1 test " " (index-page/verdict-badge verdict note)]
      [:div.subtitle stamp]]
     (summary-section summary read-problems)
     (failures-section summary report)
     plot-sections
     [:section#ops [:h2 "Operations"] (stats-table (op-stats pairs))]
     [:section#checks [:h2 "Checkers"] (checks-table (:checks report))]
     [:section#options
      [:h2 "Options (test.edn)"]
      (if options (options-table options) [:p "test.edn is missing or unreadable."])]
     [:script {:src "view-data.js"}]
     [:script {:src (str assets-path "/viewer.js")}]
     [:script (html/raw "LeaseKvViewer.run(window.LKV_RUN);")])))
