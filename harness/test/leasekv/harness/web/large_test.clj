(ns leasekv.harness.web.large-test
  "A 100,000-operation run (200,000 history lines): the page must stay small (the timeline reads
  a compact data file, not one element per op) and every op must be in that data. Prints how
  long the build took; timing is reported, not asserted (the machine is shared)."
  (:require [clojure.data.json :as json]
            [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.log :as log]
            [leasekv.harness.web :as web]
            [leasekv.harness.web.fixtures :as fx]))

(def client-ops 100000)

(deftest a-100k-op-run-stays-small
  (let [root (fx/temp-dir "web-large")]
    (try
      (binding [log/*quiet* true]
        (let [history (fx/register-history {:processes 50 :keys 10 :ops-per-process (quot client-ops 50)})
              dir (fx/write-run! root "leasekv-register-big" "20260105T000000.000"
                                 {:history history :results {:valid? true :stats {:count client-ops}}})
              history-bytes (.length (io/file dir "history.edn"))
              _ (web/generate-run! (str root) dir)                 ; warms the JIT
              {:keys [elapsed-ms cpu-ms page-bytes data-bytes ops]} (web/generate-run! (str root) dir)
              data-text (slurp (io/file dir "view-data.js"))
              data (json/read-str (subs data-text (count "window.LKV_RUN = ") (str/last-index-of data-text ";")))]
          (println (format "viewer, %,d client ops (%,d history lines, %.1f MB history.edn): page built in %.0f ms (%.0f ms CPU on the building thread); index.html %,d bytes, view-data.js %,d bytes (%.1f bytes per op)"
                           client-ops ops (/ history-bytes 1e6) elapsed-ms cpu-ms page-bytes data-bytes (/ data-bytes (double client-ops))))
          (is (= (+ (* 2 client-ops) 14) ops) "every line read (client ops, their completions, 14 nemesis ops)")
          (testing "every op is in the timeline's columns"
            (doseq [c ["t" "d" "p" "k" "f" "v"]]
              (is (= client-ops (count (get-in data ["timeline" "columns" c]))) c)))
          (testing "the page itself does not grow with the history; the data stays compact"
            (is (< page-bytes 20000))
            (is (< data-bytes (* 40 client-ops)) "under 40 bytes per op")
            (is (< data-bytes (/ history-bytes 5)) "at least 5 times smaller than history.edn"))
          (testing "the perf series are bucketed, not per op"
            (is (<= (count (get-in data ["perf" "x"])) 150)))))
      (finally (fx/delete-tree! root)))))
