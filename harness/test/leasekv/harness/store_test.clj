(ns leasekv.harness.store-test
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.store :as store])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(defn- temp-dir [] (str (Files/createTempDirectory "store-test" (make-array FileAttribute 0))))

(deftest runs-are-stored-linked-and-found-again
  (let [root (temp-dir)
        mk (fn [stamp] (let [t {:results-root root :name "etcd-register" :store-dir (store/run-dir root "etcd-register" stamp)}]
                         (store/prepare! t {:time-limit 5})
                         (store/save-results! t {:valid? true :perf {:ops 3}})
                         t))
        a (mk "20260101T000000.000")
        b (mk "20260101T000001.000")]
    (testing "latest links point at the newest run"
      (is (= (.getCanonicalPath (io/file (:store-dir b))) (.getCanonicalPath (io/file root "latest"))))
      (is (= (.getCanonicalPath (io/file (:store-dir b))) (.getCanonicalPath (io/file root "etcd-register" "latest")))))
    (testing "test.edn and results.edn read back; :valid? comes first"
      (is (= {:time-limit 5} (store/read-edn (io/file (:store-dir a) "test.edn"))))
      (is (str/starts-with? (slurp (io/file (:store-dir a) "results.edn")) "{:valid? true")))
    (testing "-t finds runs by index and path, and names what it cannot find"
      (is (= "20260101T000001.000" (.getName (store/resolve-run root nil))))
      (is (= "20260101T000000.000" (.getName (store/resolve-run root "0"))))
      (is (= "20260101T000001.000" (.getName (store/resolve-run root "-1"))))
      (is (= "20260101T000000.000" (.getName (store/resolve-run root (:store-dir a)))))
      (is (thrown-with-msg? clojure.lang.ExceptionInfo #"index 5 \(there are 2\)" (store/resolve-run root "5")))
      (is (thrown-with-msg? clojure.lang.ExceptionInfo #"no test.edn" (store/resolve-run root "/nonexistent"))))))
