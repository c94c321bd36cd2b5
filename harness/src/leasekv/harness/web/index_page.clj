(ns leasekv.harness.web.index-page
  "results/index.html: one row per stored run (date, test, db, workload, nemesis, notable options,
  duration, op count, verdict), newest first. The rows are plain HTML, readable without
  JavaScript; viewer.js adds filtering and sorting on top of their data-* attributes."
  (:require [clojure.string :as str]
            [leasekv.harness.web.html :as html]
            [leasekv.harness.web.runs :as runs]))

(def verdict-order [:invalid :crashed :unknown :running :valid])

(def verdict-labels
  {:valid "valid" :invalid "invalid" :unknown "unknown" :crashed "crashed" :running "running"})

(defn verdict-badge
  "A coloured verdict label; title carries the note (why a run is crashed or unknown)."
  [verdict note]
  [:span {:class ["verdict" (str "v-" (name verdict))] :title note} (verdict-labels verdict (name verdict))])

(defn format-duration
  "Formats seconds as e.g. 34.7 s, 2 min 05 s, or – when unknown."
  [secs]
  (cond (nil? secs) "–"
        (< secs 120) (format "%.1f s" (double secs))
        :else (let [s (long (Math/round (double secs)))] (format "%d min %02d s" (quot s 60) (mod s 60)))))

(defn- run-row [{:keys [rel test stamp date verdict note workload nemesis db tags duration-s op-count]}]
  (let [date-text (runs/format-date date)]
    [:tr {:data-verdict (name verdict) :data-db db :data-workload workload :data-nemesis nemesis
          :data-search (str/lower-case (str/join " " (concat [test stamp workload nemesis db (verdict-labels verdict) note] tags)))}
     [:td {:data-value stamp} date-text]
     [:td.test [:a {:href (str rel "/index.html")} test]
      [:div.stamp stamp]]
     [:td {:data-value (or db "")} db]
     [:td {:data-value (or workload "")} workload]
     [:td {:data-value (or nemesis "")} nemesis]
     [:td.tags (for [t tags] [:span.tag t])]
     [:td.num {:data-value (or duration-s -1)} (format-duration duration-s)]
     [:td.num {:data-value (or op-count -1)} (if op-count (format "%,d" (long op-count)) "–")]
     [:td {:data-value (.indexOf ^java.util.List verdict-order verdict)}
      (verdict-badge verdict note)
      (when note [:div.note note])]]))

(defn- distinct-values [summaries k] (sort (distinct (remove nil? (map k summaries)))))

(defn- select-filter [id label values]
  [:label label " "
   [:select {:id id :data-column id}
    [:option {:value ""} "all"]
    (for [v values] [:option {:value v} v])]])

(defn render
  "Takes run summaries (see web.runs/summary). Returns the index page's HTML (which lives in the
  results root, beside viewer/)."
  [summaries]
  (let [assets-path "viewer"
        summaries (sort-by :stamp #(compare %2 %1) summaries)
        counts (frequencies (map :verdict summaries))]
    (html/document
     {:title "leasekv test runs"
      :head (list [:meta {:name "generator" :content "leasekv-viewer"}]
                  [:link {:rel "stylesheet" :href (str assets-path "/viewer.css")}])
      :body-attrs {:class "index-page"}}
     [:header.page
      [:h1 "leasekv test runs"]
      [:div.counts
       (str (count summaries) " runs")
       (for [v verdict-order :when (counts v)]
         (list " · " [:span {:class ["count" (str "v-" (name v))]} (counts v) " " (verdict-labels v)]))]]
     [:section.filters
      [:input#filter {:type "search" :placeholder "Filter: test, option, stamp, note…" :autocomplete "off"}]
      [:span.verdict-filters
       (for [v verdict-order]
         [:label {:class ["vf" (str "v-" (name v))]}
          [:input {:type "checkbox" :name "verdict" :value (name v) :checked true}] " " (verdict-labels v)])]
      (select-filter "db" "db" (distinct-values summaries :db))
      (select-filter "workload" "workload" (distinct-values summaries :workload))
      (select-filter "nemesis" "nemesis" (distinct-values summaries :nemesis))
      [:span#shown-count]]
     (if (empty? summaries)
       [:p.empty "No runs yet. Start one with " [:code "lein run test"] "."]
       [:table#runs.runs
        [:thead
         [:tr
          (for [[label kind] [["date" "text"] ["test" "text"] ["db" "text"] ["workload" "text"] ["nemesis" "text"]
                              ["options" nil] ["duration" "num"] ["ops" "num"] ["verdict" "num"]]]
            [:th (when kind {:data-sort kind :title "Click to sort"}) label])]]
        [:tbody (map run-row summaries)]])
     [:footer "Generated " (runs/format-date (java.time.LocalDateTime/now))
      " by the harness (" [:code "lein run index"] "; served by " [:code "lein run serve"] ")."]
     [:script {:src (str assets-path "/viewer.js")}]
     [:script (html/raw "LeaseKvViewer.index();")])))
