(ns leasekv.harness.control-test
  (:require [clojure.java.io :as io]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.control :as c]
            [leasekv.harness.control.local :as local])
  (:import (java.io File)))

(defn- temp-file ^File [text]
  (doto (File/createTempFile "leasekv-control-test" ".pid")
    (.deleteOnExit)
    (spit text)))

(deftest the-local-remote-reads-pidfiles-without-a-command
  ;; No namespaces exist: were daemon-pid to run a command on "n1", it would fail and say nil.
  (let [remote (local/remote)
        own-pid (.pid (java.lang.ProcessHandle/current))
        exited (doto (.start (ProcessBuilder. ["true"])) (.waitFor))]
    (testing "a live process"
      (is (= own-pid (c/daemon-pid remote "n1" (str (temp-file (str own-pid "\n")))))))
    (testing "an exited process, a missing pidfile, a pidfile that is not a pid"
      (is (nil? (c/daemon-pid remote "n1" (str (temp-file (str (.pid exited)))))))
      (is (nil? (c/daemon-pid remote "n1" "/nonexistent/leasekv.pid")))
      (is (nil? (c/daemon-pid remote "n1" (str (temp-file "")))))
      (is (nil? (c/daemon-pid remote "n1" (str (temp-file "not-a-pid"))))))))

(deftest the-local-remote-copies-files-itself
  (let [dir (doto (io/file (System/getProperty "java.io.tmpdir") (str "leasekv-control-test-" (System/nanoTime))) (.mkdirs))
        from (io/file dir "from.txt")
        to (io/file dir "a" "b" "to.txt")
        remote (local/remote)]
    (try
      (spit from "one")
      (c/upload! remote "n1" (str from) (str to))
      (is (= "one" (slurp to)) "parents created")
      (spit from "two")
      (c/download! remote "n1" (str from) (str to))
      (is (= "two" (slurp to)) "an existing file is replaced")
      (is (thrown? java.io.IOException (c/download! remote "n1" (str (io/file dir "missing")) (str to))))
      (finally
        (doseq [f (reverse (file-seq dir))] (.delete ^File f))))))
