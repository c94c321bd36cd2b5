(ns leasekv.harness.launchers-test
  "The launchers in bin/ that run a jar: --help and a bad option never install, build or start
  anything (bin/bench-peers --help once ran apt-get install before printing its help). Each runs
  with recording stand-ins for every installer, build tool and daemon ahead on its PATH; the
  stand-ins must never be called, and the launcher must exit at once. bin/harness-*, bin/nightly
  are `exec lein run COMMAND`, whose --help and usage errors cli-test covers."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.control.shell :as shell])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute PosixFilePermissions)
           (java.util.concurrent TimeUnit)))

(def ^:private stand-ins
  ["apt-get" "apt" "dpkg" "dpkg-query" "mvn" "lein" "go" "git" "curl" "wget" "sudo" "systemctl"
   "ip" "iptables" "unshare" "nsenter" "mount" "umount" "fusermount" "fusermount3"
   "redis-server" "redis-benchmark" "redis-cli" "etcd" "etcdctl"])

(defn- stand-in-dir!
  "A directory of scripts named like the stand-ins, each appending its name and arguments to
  calls.log and failing. Returns [dir calls-log]."
  []
  (let [dir (.toFile (Files/createTempDirectory "launchers" (make-array FileAttribute 0)))
        calls (io/file dir "calls.log")]
    (doseq [tool stand-ins]
      (let [f (io/file dir tool)]
        (spit f (str "#!/bin/sh\necho \"" tool " $*\" >> '" calls "'\nexit 1\n"))
        (Files/setPosixFilePermissions (.toPath f) (PosixFilePermissions/fromString "rwxr-xr-x"))))
    [dir calls]))

(defn- launch
  "Runs bin/<launcher> with args and env additions, the stand-ins first on the PATH. Returns
  {:exit :out :err :calls}; :exit is :still-running when it had not exited after 20 s."
  [launcher args env]
  (let [[dir calls] (stand-in-dir!)]
    (try
      (let [pb (doto (ProcessBuilder. ^java.util.List (into [(str "bin/" launcher)] args))
                 (.redirectOutput (io/file dir "out"))
                 (.redirectError (io/file dir "err")))
            _ (doto (.environment pb)
                (.put "PATH" (str dir ":" (System/getenv "PATH")))
                (.putAll ^java.util.Map env))
            p (.start pb)
            exited? (.waitFor p 20 TimeUnit/SECONDS)]
        (when-not exited? (.destroyForcibly (.toHandle p)) (.destroyForcibly p))
        {:exit (if exited? (.exitValue p) :still-running)
         :out (slurp (io/file dir "out")) :err (slurp (io/file dir "err"))
         :calls (if (.exists calls) (str/split-lines (slurp calls)) [])})
      (finally (shell/run ["rm" "-rf" (str dir)])))))

(defn- jar-built? [path] (.isFile (io/file path)))

(deftest help-and-bad-options-install-build-and-start-nothing
  (doseq [[launcher jar bad-usage-exit bad-options]
          [["store" "store/node/target/leasekv-store.jar" 2 [["--bogus"] ["--peers"]]]
           ["bench" "bench/target/leasekv-bench.jar" 2 [["--bogus"] ["--ops" "nope"] ["--nodes" "0"]]]
           ["bench-peers" "bench/target/leasekv-bench.jar" 2 [["--bogus"] ["--systems" "nope"] ["--runs" "0"]]]
           ["lazyfs" "lazyfs/target/leasekv-lazyfs.jar" 2 [["--bogus"] ["mount"]]]
           ["checker" nil 254 [["--bogus"]]]]]
    (testing launcher
      (let [{:keys [exit out calls]} (launch launcher ["--help"] {})]
        (is (= [] calls) "--help calls no installer, build tool or daemon")
        (if (or (nil? jar) (jar-built? jar))
          (do (is (= 0 exit)) (is (re-find #"(?i)usage" out)))
          (is (= 1 exit) "without its jar a launcher says how to build it, and builds nothing")))
      (doseq [args bad-options]
        (let [{:keys [exit calls]} (launch launcher args {})]
          (is (= [] calls) (str launcher " " (str/join " " args) ": calls nothing"))
          (is (= (if (or (nil? jar) (jar-built? jar)) bad-usage-exit 1) exit) (str launcher " " (str/join " " args))))))))

(deftest a-launcher-whose-jar-is-missing-builds-nothing
  (doseq [[launcher env] [["store" {"LEASEKV_STORE_JAR" "/nonexistent/leasekv-store.jar"}]
                          ["bench" {"LEASEKV_BENCH_JAR" "/nonexistent/leasekv-bench.jar"}]
                          ["bench-peers" {"LEASEKV_BENCH_JAR" "/nonexistent/leasekv-bench.jar"}]
                          ["lazyfs" {"LEASEKV_LAZYFS_JAR" "/nonexistent/leasekv-lazyfs.jar"}]]]
    (let [{:keys [exit err calls]} (launch launcher ["--help"] env)]
      (is (= [] calls) launcher)
      (is (= 1 exit) launcher)
      (is (str/includes? err "is not built; run 'make build'") launcher))))

(deftest the-benchmarks-check-the-store-jar-before-starting-nodes
  (when (jar-built? "bench/target/leasekv-bench.jar")
    (doseq [launcher ["bench" "bench-peers"]]
      (let [{:keys [exit err calls]} (launch launcher [] {"LEASEKV_STORE_JAR" "/nonexistent/leasekv-store.jar"})]
        (is (= [] calls) launcher)
        (is (= 2 exit) launcher)
        (is (str/includes? err "--store-jar /nonexistent/leasekv-store.jar is not a file") launcher)))))
