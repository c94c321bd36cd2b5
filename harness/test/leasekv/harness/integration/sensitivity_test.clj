(ns ^:integration leasekv.harness.integration.sensitivity-test
  "The quick sensitivity matrix end to end (what `lein run sensitivity --quick` runs): the fastest
  catchable unsafe modes must be reported invalid within their runs, and the safe store on the
  same schedules valid."
  (:require [clojure.java.io :as io]
            [clojure.test :refer [deftest is]]
            [clojure.tools.cli :as tools-cli]
            [leasekv.harness.integration.support :as support]
            [leasekv.harness.sensitivity :as sensitivity]))

(deftest ^:integration the-quick-matrix-catches-its-modes-and-passes-the-safe-store
  (support/call-with-results-dir
   (fn [dir]
     (let [{:keys [options errors]} (tools-cli/parse-opts ["--quick" "--results-dir" dir] sensitivity/options)
           _ (is (empty? errors))
           {:keys [rows passed? dir]} (sensitivity/run! options)]
       (is passed? (sensitivity/text-table rows))
       (is (= (count (filter :quick sensitivity/modes)) (count (filter :caught? rows))))
       (is (every? #(<= (:runs %) 3) rows))
       (is (.exists (io/file dir "sensitivity.md")))
       (is (.exists (io/file dir "sensitivity.edn")))))))
