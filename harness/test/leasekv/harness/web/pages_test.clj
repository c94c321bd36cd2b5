(ns leasekv.harness.web.pages-test
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.log :as log]
            [leasekv.harness.web :as web]
            [leasekv.harness.web.failures :as failures]
            [leasekv.harness.web.fixtures :as fx]
            [leasekv.harness.web.runs :as runs]))

(defmacro with-root [[sym] & body]
  `(let [~sym (fx/temp-dir "web-pages")]
     (try (binding [log/*quiet* true] ~@body)
          (finally (fx/delete-tree! ~sym)))))

(deftest classifies-verdicts
  (with-root [root]
    (let [h (fx/register-history {:processes 2 :ops-per-process 5})
          mk (fn [stamp results] (fx/write-run! root "t" stamp {:history h :results results}))
          verdict-of (fn [dir now] (select-keys (runs/summary root dir now) [:verdict :note]))
          later (+ (System/currentTimeMillis) (* 10 runs/running-grace-ms))]
      (is (= {:verdict :valid :note nil} (verdict-of (mk "20260101T000001.000" {:valid? true}) later)))
      (is (= :invalid (:verdict (verdict-of (mk "20260101T000002.000" {:valid? false}) later))))
      (is (= {:verdict :unknown :note "the search exceeded its time limit of 30 s"}
             (verdict-of (mk "20260101T000003.000" {:valid? :unknown :stats {:valid? true :error "not this one"}
                                                    :workload {:valid? :unknown :results {3 {:valid? :unknown :reason "the search exceeded its time limit of 30 s"}}}})
                         later))
          "an undecided run says why")
      (is (= {:verdict :crashed :note "aborted: interrupted"}
             (verdict-of (mk "20260101T000004.000" {:valid? :unknown :aborted? true :error "interrupted"}) later)))
      (is (= {:verdict :crashed :note "java.lang.RuntimeException: boom"}
             (verdict-of (mk "20260101T000005.000" {:valid? :crashed :error "java.lang.RuntimeException: boom"}) later)))
      (let [dir (mk "20260101T000006.000" nil)]
        (is (= :running (:verdict (verdict-of dir (System/currentTimeMillis)))) "no results.edn, files just written")
        (is (= :crashed (:verdict (verdict-of dir later))) "no results.edn and nothing written for a while"))
      (let [dir (mk "20260101T000007.000" nil)]
        (spit (io/file dir "results.edn") "{:valid? tr")
        (is (str/includes? (:note (verdict-of dir later)) "results.edn is not readable EDN")))
      (testing "the figures come from results.edn, else from the history"
        (let [s (runs/summary root (io/file root "t" "20260101T000006.000") later)]
          (is (= 10 (:op-count s)))
          (is (< 0.05 (:duration-s s) 1.0))
          (is (= "2026-01-01 00:00:06" (runs/format-date (:date s)))))))))

(deftest reports-a-stale-read-from-the-real-checkers
  (with-root [root]
    (let [dir (fx/write-run! root "leasekv-register-stale" "20260102T000000.000"
                             {:history (fx/register-history {:processes 6 :keys 3 :ops-per-process 30 :stale? true})
                              :check? true})
          results (:results (runs/summary root dir))
          report (failures/report dir results)]
      (is (false? (:valid? results)))
      (testing "both checkers' stale-read reports of the read in one row, with node, term, read mode, the missed write and the lag"
        (let [[r :as rows] (:stale-reads report)
              [w :as writes] (:missed-writes r)]
          (is (= 1 (count rows)))
          (is (= #{"linearizability checker" "stale-read checker"} (set (:sources r))))
          (is (= 0 (:key r)))
          (is (= ["n3" "n3" 3 "lease"] [(:node r) (:served-by r) (:term r) (:read-mode r)]))
          (is (= 1 (count writes)) "both name the same write")
          (is (= [100 200] [(:read-value r) (:write-value w)]))
          (is (= #{"linearizability checker" "stale-read checker"} (set (:sources w))))
          (is (< 11.0 (:lag-ms w) 13.0) "the read began 12 ms after the write of 200 was acknowledged")
          (is (= 2 (count (:explanations r))))))
      (testing "the linearizability failure, its explanation and its diagram"
        (let [[f] (:linear report)]
          (is (= 0 (:key f)))
          (is (str/includes? (:explanation f) "had been acknowledged"))
          (is (= "linear/linear-key-0.svg" (:diagram f)))
          (is (.isFile (io/file dir (:diagram f))))))
      (is (some #{(:read-index (first (:stale-reads report)))} (:marked-ops report)))
      (is (= [[] false] ((juxt :path :valid?) (first (:checks report)))) "the overall verdict comes first"))))

(deftest a-read-both-checkers-found-is-one-row-with-every-write-it-missed
  (with-root [root]
    (let [dir (fx/write-run! root "leasekv-register-stale" "20260102T000000.000"
                             {:history (fx/register-history {:processes 4 :keys 3 :ops-per-process 20 :stale? :concurrent-writes})
                              :check? true})
          results (:results (runs/summary root dir))
          [row :as rows] (:stale-reads (failures/report dir results))
          ack-index (fn [v] (some #(when (and (= :ok (:type %)) (= :write (:f %)) (= [0 v] (:value %))) (:index %))
                                  (fx/register-history {:processes 4 :keys 3 :ops-per-process 20 :stale? :concurrent-writes})))]
      (is (= 1 (count rows)) "one row for the read, not one per checker")
      (is (= [100 "n3" 3 "lease"] ((juxt :read-value :node :term :read-mode) row)))
      (is (= #{"linearizability checker" "stale-read checker"} (set (:sources row))))
      (testing "both writes the checkers name, each once, by the index of its acknowledgement, with who named it"
        (is (= [(ack-index 300) (ack-index 200)] (map :write-index (:missed-writes row))))
        (is (= [300 200] (map :write-value (:missed-writes row))))
        (is (= [["stale-read checker"] ["linearizability checker"]] (map :sources (:missed-writes row))))
        (is (= [7 5] (map #(Math/round (double (:lag-ms %))) (:missed-writes row)))))
      (is (= 2 (count (:explanations row))) "each checker's sentence")
      (web/generate-run! (str root) dir)
      (let [page (slurp (io/file dir "index.html"))]
        (is (str/includes? page "Stale reads (1)"))
        (is (= 1 (count (re-seq #"<tr><td>0</td>" page))) "one table row")))))

(deftest builds-run-pages-and-the-index
  (with-root [root]
    (let [bad (fx/write-run! root "leasekv-register-stale" "20260102T000000.000"
                             {:history (fx/register-history {:processes 6 :keys 3 :ops-per-process 30 :stale? true})
                              :check? true :options {:unsafe "no-lease-check"}})
          good (fx/write-run! root "etcd-register" "20260102T000001.000"
                              {:history (fx/register-history {:processes 4 :ops-per-process 10})
                               :results {:valid? true :stats {:count 40}}
                               :options {:db "etcd"}})
          {:keys [runs built failed]} (web/regenerate! root {})]
      (is (= [2 2 0] [runs built failed]))
      (testing "the run page says what went wrong, in words, with the diagram and the logs"
        (let [page (slurp (io/file bad "index.html"))]
          (is (str/includes? page "What went wrong"))
          (is (str/includes? page "Stale reads (1)"))
          (is (str/includes? page "had been acknowledged"))
          (is (str/includes? page "<img alt=\"linearizability diagram for key 0\" src=\"linear/linear-key-0.svg\">"))
          (is (str/includes? page "href=\"n3/store.log\""))
          (is (str/includes? page "href=\"history.edn\""))
          (is (str/includes? page "src=\"../../viewer/viewer.js\""))
          (is (str/includes? page "href=\"../../index.html\""))
          (is (str/includes? page "<th>unsafe</th><td><code>no-lease-check</code></td>") "the options table")))
      (testing "the page's data: the timeline columns, the faults, the ops to mark"
        (let [data (slurp (io/file bad "view-data.js"))]
          (is (str/starts-with? data "window.LKV_RUN = {"))
          (is (str/includes? data "\"family\":\"partition\""))
          (is (str/includes? data "\"concurrency\":10"))
          (is (re-find #"\"marked\":\[\{\"index\":\d+,\"row\":\d+\}" data))))
      (testing "a valid run's page has no failure section"
        (is (not (str/includes? (slurp (io/file good "index.html")) "What went wrong"))))
      (testing "the index lists both, newest first, with their verdicts and links"
        (let [index (slurp (io/file root "index.html"))]
          (is (< (str/index-of index "etcd-register") (str/index-of index "leasekv-register-stale")))
          (is (str/includes? index "href=\"leasekv-register-stale/20260102T000000.000/index.html\""))
          (is (str/includes? index "data-verdict=\"invalid\""))
          (is (str/includes? index "data-verdict=\"valid\""))
          (is (str/includes? index "unsafe no-lease-check"))
          (is (str/includes? index "1 invalid"))))
      (testing "the viewer's assets are copied beside the index"
        (is (.isFile (io/file root "viewer" "viewer.js")))
        (is (.isFile (io/file root "viewer" "viewer.css"))))
      (testing "pages are rebuilt only when their run changed"
        (is (= 0 (:built (web/regenerate! root {}))))
        (is (not (web/run-page-stale? good)))
        (.setLastModified (io/file good "results.edn") (+ 5000 (.lastModified (io/file good "index.html"))))
        (is (web/run-page-stale? good))
        (is (= 1 (:built (web/regenerate! root {}))))
        (is (= 2 (:built (web/regenerate! root {:all? true}))))))))

(deftest after-run-builds-the-pages-and-never-throws
  (with-root [root]
    (let [dir (fx/write-run! root "t" "20260103T000000.000"
                             {:history (fx/register-history {:processes 2 :ops-per-process 5}) :results {:valid? true}})]
      (is (nil? (web/after-run! {:results-root (str root) :store-dir (.getPath dir)})))
      (is (.isFile (io/file dir "index.html")))
      (is (.isFile (io/file root "index.html")))
      (is (nil? (web/after-run! {:results-root (str root) :store-dir (str root "/no/such/run")}))
          "a broken run cannot fail a test"))))

(deftest commands-name-bad-options
  (binding [*err* (java.io.StringWriter.)]
    (is (= 254 (web/serve-cmd ["-p" "70000"])))
    (is (str/includes? (str *err*) "must be a port number"))
    (is (= 254 (web/index-cmd ["--bogus"])))))

(deftest shows-the-findings-lines-and-unknown-checkers
  (with-root [root]
    (let [dir (fx/write-run! root "t" "20260107T000000.000"
                             {:history (fx/register-history {:processes 2 :ops-per-process 5})
                              :results {:valid? false
                                        :findings ["stale read #9 of key 0: 1 served by n2 in term 3 (lease read)"]
                                        :replicas {:valid? false :error "replica n3's digest differs"}
                                        :set {:valid? false :lost [4 7] :lost-count 2 :unexpected [] :unexpected-count 0
                                              :attempt-count 10 :acknowledged-count 9 :indeterminate-count 1 :recovered-count 0}}})]
      (web/generate-run! (str root) dir)
      (let [page (slurp (io/file dir "index.html"))]
        (is (str/includes? page "<li>stale read #9 of key 0: 1 served by n2 in term 3 (lease read)</li>"))
        (is (str/includes? page "replica n3&#39;s digest differs") "a checker the viewer has never heard of still shows its error")
        (is (str/includes? page "Set: 2 lost, 0 unexpected"))
        (is (str/includes? page "<code>[4 7]</code>"))))))
