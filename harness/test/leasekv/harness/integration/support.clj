(ns leasekv.harness.integration.support
  "Helpers for the integration tests: a results directory per test that is removed when the
  test passed and kept (and named) when it failed, for inspection."
  (:require [clojure.test :as t]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.log :as log])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(defn temp-dir
  "Creates and returns a fresh temporary directory (a path string) with the given prefix."
  [prefix]
  (str (Files/createTempDirectory prefix (make-array FileAttribute 0))))

(defn- problems [] (let [c @t/*report-counters*] (+ (:fail c 0) (:error c 0))))

(defn call-with-results-dir
  "Calls f with a new results directory. Deletes it afterwards when no assertion failed inside f;
  otherwise logs where it is."
  [f]
  (let [dir (temp-dir "leasekv-harness-it")
        before (problems)]
    (try (f dir)
         (finally
           (if (= before (problems))
             (shell/run ["rm" "-rf" dir])
             (log/warn! "Test failed; its runs are kept in" dir))))))
