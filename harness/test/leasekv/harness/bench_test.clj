(ns leasekv.harness.bench-test
  (:require [clojure.test :refer [deftest is]]
            [leasekv.harness.bench :as bench])
  (:import (java.io BufferedInputStream BufferedOutputStream ByteArrayInputStream ByteArrayOutputStream)))

(defn- replies [^String s]
  (BufferedInputStream. (ByteArrayInputStream. (.getBytes s "UTF-8"))))

(deftest resp-commands-are-encoded-as-bulk-arrays
  (let [buf (ByteArrayOutputStream.)]
    (#'bench/write-command! (BufferedOutputStream. buf) ["SET" "r1" "héllo"])
    (is (= "*3\r\n$3\r\nSET\r\n$2\r\nr1\r\n$6\r\nhéllo\r\n" (.toString buf "UTF-8")))))

(deftest resp-replies-are-read-in-order
  (let [in (replies "+OK\r\n$2\r\n42\r\n$-1\r\n:7\r\n-ERR wrong\r\n")]
    (is (= "OK" (#'bench/read-reply! in)))
    (is (= "42" (#'bench/read-reply! in)))
    (is (nil? (#'bench/read-reply! in)))
    (is (= 7 (#'bench/read-reply! in)))
    (is (thrown-with-msg? clojure.lang.ExceptionInfo #"redis: ERR wrong" (#'bench/read-reply! in)))
    (is (thrown? java.io.EOFException (#'bench/read-reply! in)))))

(deftest bad-options-are-named
  (let [err (java.io.StringWriter.)]
    (binding [*err* err]
      (is (= 254 (bench/bench-cmd ["--concurrency" "0"]))))
    (is (re-find #"--concurrency must be positive" (str err)))))
