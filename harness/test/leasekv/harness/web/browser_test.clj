(ns leasekv.harness.web.browser-test
  "The viewer in a real browser: headless Debian Chromium, driven over the DevTools protocol,
  opens the index and the pages of synthetic runs (a failing one checked by the real checkers, a
  valid one, an aborted, a crashed and a 100,000-op one) served by `lein run serve`'s server,
  checks what they show and how they react, and saves screenshots under
  harness/target/screenshots/."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.log :as log]
            [leasekv.harness.web :as web]
            [leasekv.harness.web.browser :as b]
            [leasekv.harness.web.fixtures :as fx]
            [leasekv.harness.web.server :as server]))

(def screenshots (io/file "harness/target/screenshots"))

(defn- shot! [br name & opts]
  (let [f (apply b/screenshot! br (io/file screenshots name) opts)]
    (println "screenshot:" (.getPath f))
    f))

(defn- make-runs!
  "Runs of every verdict, one that crashed before any op, and a big one. Returns {name dir}."
  [root]
  (let [old (- (System/currentTimeMillis) (* 3600 1000))
        crashed (fx/write-run! root "etcd-set-partition" "20260106T000004.000"
                               {:history (fx/register-history {:processes 3 :ops-per-process 20})
                                :options {:workload "set" :nemesis "partition" :db "etcd"}})]
    (doseq [^java.io.File f (file-seq crashed)] (.setLastModified f old))
    {:invalid (fx/write-run! root "leasekv-register-partition-unsafe-no-lease-check" "20260106T000005.000"
                             {:history (fx/register-history {:processes 10 :keys 5 :ops-per-process 60 :stale? true})
                              :check? true
                              :options {:unsafe "no-lease-check" :nemesis "partition" :partitions "isolate-leader"
                                        :leasekv-routing "pinned-reads" :concurrency "2n"}})
     :valid (fx/write-run! root "leasekv-register-kill+partition" "20260106T000003.000"
                           {:history (fx/register-history {:processes 10 :keys 5 :ops-per-process 60}) :check? true})
     :aborted (fx/write-run! root "leasekv-register-kill+partition" "20260106T000002.000"
                             {:history (fx/register-history {:processes 4 :ops-per-process 20})
                              :results {:valid? :unknown :aborted? true
                                        :error "interrupted; run `lein run analyze` to check the partial history"}})
     :unknown (fx/write-run! root "etcd-register-partition" "20260106T000001.000"
                             {:history (fx/register-history {:processes 4 :ops-per-process 20})
                              :results {:valid? :unknown :workload {:valid? :unknown :error "the search exceeded its time limit"}}
                              :options {:db "etcd" :nemesis "partition"}})
     :crashed crashed
     :empty (fx/write-run! root "leasekv-register-kill+partition" "20251231T000000.000"
                           {:history [] :results {:valid? :crashed :error "java.lang.IllegalStateException: no leader after 60 s"}})
     :big (fx/write-run! root "leasekv-register-big" "20260106T000000.000"
                         {:history (fx/register-history {:processes 50 :keys 10 :ops-per-process 2000})
                          :results {:valid? true :stats {:count 100000}}})}))

(defn- js-str [s] (str "'" (str/replace s "'" "\\'") "'"))

(defn- check-index [br base]
  (b/open! br (str base "/"))
  (b/wait-until! br "window.lkvIndex" 10000)
  (testing "every run is listed, newest first, its verdict coloured"
    (is (= 7 (b/eval! br "document.querySelectorAll('#runs tbody tr').length")))
    (is (= ["invalid" "crashed" "valid" "crashed" "unknown" "valid" "crashed"]
           (b/eval! br "Array.from(document.querySelectorAll('#runs tbody tr .verdict')).map(e => e.textContent)")))
    (is (= {:valid "rgb(46, 125, 50)" :invalid "rgb(198, 40, 40)" :unknown "rgb(178, 106, 0)" :crashed "rgb(123, 31, 162)"}
           (b/eval! br "Object.fromEntries(Array.from(document.querySelectorAll('#runs .verdict')).map(e => [e.textContent, getComputedStyle(e).backgroundColor]))")))
    (is (str/includes? (b/eval! br "document.querySelector('#runs').innerText") "aborted: interrupted"))
    (is (str/includes? (b/eval! br "document.querySelector('#runs').innerText") "no results.edn")))
  (shot! br "index.png")
  (testing "filtering by text, verdict and workload"
    (b/eval! br "{ const f = document.getElementById('filter'); f.value = 'no-lease'; f.dispatchEvent(new Event('input')); }")
    (is (= 1 (b/eval! br "document.querySelectorAll('#runs tbody tr:not([hidden])').length")))
    (is (= "1 of 7 shown" (b/eval! br "document.getElementById('shown-count').textContent")))
    (b/eval! br "{ const f = document.getElementById('filter'); f.value = ''; f.dispatchEvent(new Event('input')); }")
    (b/eval! br "document.querySelector('input[value=valid]').click()")
    (is (= 5 (b/eval! br "document.querySelectorAll('#runs tbody tr:not([hidden])').length")))
    (is (str/includes? (b/eval! br "location.hash") "hide=valid") "the filter is kept in the URL")
    (b/eval! br "document.querySelector('input[value=valid]').click()")
    (b/eval! br "{ const s = document.querySelector('select[data-column=workload]'); s.value = 'set'; s.dispatchEvent(new Event('change')); }")
    (is (= 1 (b/eval! br "document.querySelectorAll('#runs tbody tr:not([hidden])').length")))
    (b/eval! br "{ const s = document.querySelector('select[data-column=workload]'); s.value = ''; s.dispatchEvent(new Event('change')); }"))
  (testing "sorting by op count, then back"
    (b/eval! br "Array.from(document.querySelectorAll('#runs th')).find(t => t.textContent === 'ops').click()")
    (let [ops (b/eval! br "Array.from(document.querySelectorAll('#runs tbody tr')).map(r => Number(r.cells[7].dataset.value))")]
      (is (= (sort > ops) ops))
      (is (= 100000 (first ops))))
    (shot! br "index-sorted-by-ops.png")))

(defn- canvas-painted
  "How many pixels of the timeline canvas have the colour of ok ops."
  [br]
  (b/eval! br (str "(() => { const c = document.querySelector('.tl-canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                   " let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] === 0x5b && d[i+1] === 0x9f && d[i+2] === 0xe0) n++; return n; })()")))

(defn- wheel-on-timeline! [br delta]
  (let [{:keys [x y]} (b/eval! br "(() => { const r = document.querySelector('.tl-canvas').getBoundingClientRect(); return {x: r.left + r.width * 0.6, y: r.top + r.height / 2}; })()")]
    (b/mouse! br "mouseWheel" x y :delta-y delta)
    (Thread/sleep 150)))

(defn- legend
  "The legend rows of the chart in the element with this id: the label's text, and its sample's
  colour and dash (a line's stroke-dasharray, or the point shape's glyph)."
  [br id]
  (b/eval! br (str "Array.from(document.querySelectorAll('#" id " .u-legend .u-series .lkv-legend')).map(l => {"
                   " const line = l.querySelector('line'); const glyph = l.querySelector('.lkv-glyph');"
                   " return {label: l.lastChild.textContent.trim(),"
                   " color: line ? getComputedStyle(line).stroke : getComputedStyle(glyph).color,"
                   " dash: line ? (line.getAttribute('stroke-dasharray') || 'solid') : glyph.textContent}; })")))

(defn- check-chart-styles
  "Colour is the outcome, as in Jepsen's plots; the :f is a point shape (raw latency) or a dash
  (throughput); the quantile lines of one :f differ in shade and dash. The legend shows each."
  [br]
  (let [raw (legend br "latency-raw")
        word (fn [n {:keys [label]}] (nth (str/split label #" ") n))
        outcome (partial word 1)
        f-of (partial word 0)
        distinct-per (fn [group-key value rows] (into {} (for [[k rs] (group-by group-key rows)] [k (set (map value rs))])))]
    (testing "raw latency: one colour per outcome, one point shape per :f"
      (is (= #{"ok" "fail"} (set (filter #{"ok" "fail"} (map outcome raw)))) (pr-str raw))
      (let [colors (distinct-per outcome :color raw)
            shapes (distinct-per f-of :dash raw)]
        (is (every? #(= 1 (count %)) (vals colors)) "every :f of one outcome has its colour")
        (is (apply distinct? (map first (vals colors))) "outcomes differ in colour")
        (is (every? #(= 1 (count %)) (vals shapes)) (pr-str shapes))
        (is (apply distinct? (map first (vals shapes))) "each :f its own shape")))
    (testing "latency quantiles: per :f, p50, p95, p99 and max differ in shade and in dash"
      (let [by-f (group-by f-of (legend br "latency-quantiles"))]
        (is (= #{"read" "write" "cas"} (set (keys by-f))))
        (doseq [[f rows] by-f]
          (is (= ["p50" "p95" "p99" "max"] (map #(word 1 %) rows)))
          (is (= 4 (count (set (map :color rows)))) (str f ": " (pr-str rows)))
          (is (= ["solid" "6 4" "2 3" "10 3 2 3"] (map :dash rows)) f))))
    (testing "throughput: one colour per outcome, one dash per :f"
      (let [rows (legend br "throughput")
            find (fn [l] (some #(when (= l (:label %)) %) rows))]
        (is (= (:color (find "read ok")) (:color (find "write ok"))))
        (is (not= (:color (find "cas ok")) (:color (find "cas fail"))))
        (is (= (:dash (find "cas ok")) (:dash (find "cas fail"))))
        (is (= 3 (count (set (map :dash (keep find ["cas ok" "read ok" "write ok"]))))))))))

(defn- check-diagram-text
  "Every text of the checker's diagram, as Chromium lays it out, lies within the picture."
  [br base]
  (b/open! br (str base "/leasekv-register-partition-unsafe-no-lease-check/20260106T000005.000/linear/linear-key-0.svg"))
  (b/wait-until! br "document.querySelectorAll('text').length > 5" 10000)
  (let [{:keys [width beyond texts]}
        (b/eval! br (str "(() => { const w = document.documentElement.width.baseVal.value;"
                         " const ts = Array.from(document.querySelectorAll('text'));"
                         " return {width: w, texts: ts.length, beyond: ts.filter(t => t.getBBox().x + t.getBBox().width > w)"
                         ".map(t => t.textContent)}; })()"))]
    (is (< 10 texts))
    (is (<= 900 width))
    (is (= [] beyond) "text drawn beyond the picture's width is clipped")))

(defn- check-failing-run [br base dir]
  (b/open! br (str base "/"))
  (b/eval! br "document.querySelector('a[href*=no-lease-check]').click()")
  (b/wait-until! br "location.pathname.includes('no-lease-check') && window.lkvView" 15000)
  (testing "the verdict and the stale-read report in words"
    (is (= "invalid" (b/eval! br "document.querySelector('h1 .verdict').textContent")))
    (let [text (b/eval! br "document.getElementById('failures').innerText")]
      (is (str/includes? text "Stale reads (1)") "one row for the read both checkers found")
      (is (str/includes? text "served by n3 in term 3"))
      (is (str/includes? text "12.0 ms"))
      (is (str/includes? text "had been acknowledged"))
      (is (str/includes? text "lease"))))
  (testing "the checker's diagram is shown"
    (b/wait-until! br "document.querySelector('figure.diagram img').complete" 5000)
    (is (< 300 (b/eval! br "document.querySelector('figure.diagram img').naturalWidth"))))
  (testing "links to history.edn and every node's log resolve"
    (is (= 6 (b/eval! br "document.querySelectorAll('.links a[href$=\".log\"]').length")))
    (is (= [200 true] (b/eval! br "fetch('n3/store.log').then(async r => [r.status, (await r.text()).includes('role=')])")))
    (is (= 200 (b/eval! br "fetch('history.edn').then(r => r.status)"))))
  (let [total (b/eval! br "window.lkvView.ops.n")]
    (testing "the timeline draws every op, coloured, and the charts are there"
      (is (= total (b/eval! br "window.lkvView.timeline.state.drawn")))
      (is (< 500 (canvas-painted br)))
      (is (= 3 (b/eval! br "document.querySelectorAll('#charts .uplot canvas').length")))
      (is (str/includes? (b/eval! br "document.getElementById('latency-raw').innerText") "read ok")))
    (check-chart-styles br)
    (shot! br "run-invalid.png" :full-page? true)
    (testing "the wheel zooms the timeline and the charts follow"
      (b/eval! br "document.getElementById('timeline-section').scrollIntoView()")
      (let [before (b/eval! br "window.lkvView.timeline.state.x1 - window.lkvView.timeline.state.x0")]
        (wheel-on-timeline! br -600)
        (let [after (b/eval! br "window.lkvView.timeline.state.x1 - window.lkvView.timeline.state.x0")
              chart (b/eval! br "(() => { const s = window.lkvView.charts.charts[2].scales.x; return (s.max - s.min) * 1e6; })()")]
          (is (< after (* 0.6 before)))
          (is (< (Math/abs (- chart after)) (* 0.01 after)) "the throughput chart shows the same span")
          (is (< (b/eval! br "window.lkvView.timeline.state.drawn") total)))))
    (testing "dragging pans"
      (let [x0 (b/eval! br "window.lkvView.timeline.state.x0")
            {:keys [x y]} (b/eval! br "(() => { const r = document.querySelector('.tl-canvas').getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()")]
        (b/mouse! br "mousePressed" x y)
        (b/mouse! br "mouseMoved" (- x 200) y)
        (b/mouse! br "mouseReleased" (- x 200) y)
        (Thread/sleep 100)
        (is (> (b/eval! br "window.lkvView.timeline.state.x0") x0))))
    (testing "a history index in the report shows its op in the timeline, with its details on hover"
      (b/eval! br "document.querySelector('#failures a.op-link').click()")
      (Thread/sleep 1200)
      (let [focus (b/eval! br "window.lkvView.timeline.state.focus")
            {:keys [x y]} (b/eval! br (str "(() => { const b = window.lkvView.timeline.opBox(" focus "); const r = document.querySelector('.tl-canvas').getBoundingClientRect();"
                                           " return {x: r.left + b.x + b.w / 2, y: r.top + b.y + b.h / 2}; })()"))]
        (is (<= 0 focus))
        (b/mouse! br "mouseMoved" x y)
        (Thread/sleep 150)
        (let [tip (b/eval! br "document.querySelector('.tl-tip').hidden ? '' : document.querySelector('.tl-tip').innerText")]
          (is (str/includes? tip "served by n3 · term 3 · lease"))
          (is (str/includes? tip "named in the failure report")))
        (shot! br "run-invalid-timeline-focused.png"))))
  (is (.isFile (io/file dir "index.html"))))

(defn- check-big-run [br base]
  (let [t0 (System/nanoTime)]
    (b/open! br (str base "/leasekv-register-big/20260106T000000.000/"))
    (b/wait-until! br "window.lkvView && window.lkvView.charts" 60000)
    (let [load-ms (/ (- (System/nanoTime) t0) 1e6)
          draw-ms (b/eval! br "(() => { const t = performance.now(); window.lkvView.timeline.redraw(); return new Promise(r => requestAnimationFrame(() => r(performance.now() - t))); })()")]
      (println (format "viewer, browser: 100,000-op run page ready in %.0f ms; one full-view timeline frame %.0f ms" load-ms (double draw-ms)))
      (testing "all 100,000 ops are drawn, and zooming in stays interactive"
        (is (= 100000 (b/eval! br "window.lkvView.timeline.state.drawn")))
        (b/eval! br "document.getElementById('timeline-section').scrollIntoView()")
        (shot! br "run-100k.png")
        (dotimes [_ 4] (wheel-on-timeline! br -800))
        (let [drawn (b/eval! br "window.lkvView.timeline.state.drawn")]
          (is (< 0 drawn 20000)))
        (shot! br "run-100k-zoomed.png")))))

(deftest ^:integration viewer-in-chromium
  (is (b/chromium-path) "Chromium is needed: apt-get install chromium")
  (when (b/chromium-path)
    (let [root (fx/temp-dir "web-browser")
          runs (binding [log/*quiet* true] (make-runs! root))
          srv (binding [log/*quiet* true] (web/serve! {:root (str root) :port 0 :bind "127.0.0.1"}))
          base (str "http://127.0.0.1:" (.getPort (.getAddress srv)))
          br (b/start! :width 1400 :height 1000)]
      (try
        (check-index br base)
        (check-failing-run br base (:invalid runs))
        (check-diagram-text br base)
        (testing "a valid run: no failure section, and the page works from file:// too"
          (b/open! br (str "file://" (.getPath (io/file (:valid runs) "index.html"))))
          (b/wait-until! br "window.lkvView && window.lkvView.charts" 15000)
          (is (false? (b/eval! br "!!document.getElementById('failures')")))
          (is (= 600 (b/eval! br "window.lkvView.ops.n")))
          (shot! br "run-valid.png" :full-page? true))
        (testing "a run that crashed before its first op: the crash, an empty timeline, no script error"
          (b/open! br (str base "/leasekv-register-kill+partition/20251231T000000.000/"))
          (b/wait-until! br "window.lkvView" 15000)
          (is (str/includes? (b/eval! br "document.getElementById('failures').innerText") "no leader after 60 s"))
          (is (= 0 (b/eval! br "window.lkvView.ops.n"))))
        (testing "an aborted run says so"
          (b/open! br (str base "/leasekv-register-kill+partition/20260106T000002.000/"))
          (b/wait-until! br "window.lkvView" 15000)
          (is (str/includes? (b/eval! br "document.getElementById('failures').innerText") "aborted: interrupted")))
        (check-big-run br base)
        (is (= [] (b/page-errors br)) "no JavaScript errors on any page")
        (finally
          (b/stop! br)
          (server/stop! srv)
          (fx/delete-tree! root))))))
