(ns leasekv.harness.store-jar-test
  "The store jar that local nodes share, its RocksDB library and its CDS archive."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing use-fixtures]]
            [leasekv.harness.control :as c]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.db.leasekv :as lkv-db]
            [leasekv.harness.db.store-jar :as store-jar])
  (:import (java.io File)
           (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)
           (java.util.zip ZipEntry ZipOutputStream)))

(def ^:private temp-dirs (atom []))

(defn- temp-dir ^File []
  (let [d (.toFile (Files/createTempDirectory "store-jar-test" (make-array FileAttribute 0)))]
    (swap! temp-dirs conj d)
    d))

(use-fixtures :each (fn [t] (try (t) (finally (doseq [d @temp-dirs] (run! #(.delete ^File %) (reverse (file-seq d))))
                                              (reset! temp-dirs [])))))

(defn- write-zip!
  "Writes a zip at path holding the given {entry-name content} (strings)."
  [path entries]
  (with-open [z (ZipOutputStream. (io/output-stream path))]
    (doseq [[n content] entries]
      (.putNextEntry z (ZipEntry. ^String n))
      (.write z (.getBytes ^String content "UTF-8"))
      (.closeEntry z))))

(defn- names [^File dir] (set (map #(.getName ^File %) (.listFiles dir))))

(deftest the-shared-copy-is-named-by-content-and-old-versions-go
  (let [dir (temp-dir)
        src (temp-dir)
        jars (for [i (range 5)]
               (let [p (str src "/store-" i ".jar")]
                 ;; Not a store jar: training fails (logged); prepare! must still return the copy.
                 (write-zip! p {"librocksdbjni-linux64.so" (str "lib " i) "librocksdbjni-linux-aarch64.so" (str "lib " i)})
                 p))]
    (testing "the copy is named by the jar's MD5 and is byte-for-byte the jar"
      (let [{:keys [jar archive native-dir]} (store-jar/prepare! (first jars) (str dir))]
        (is (= (str dir "/leasekv-store-" (store-jar/md5 (first jars)) ".jar") jar))
        (is (= (store-jar/md5 (first jars)) (store-jar/md5 jar)))
        (is (nil? archive) "a jar that cannot run gets no archive, and no exception")
        (when (and (= "Linux" (System/getProperty "os.name")) (#{"amd64" "aarch64"} (System/getProperty "os.arch")))
          (is (= "lib 0" (slurp (io/file native-dir (if (= "amd64" (System/getProperty "os.arch"))
                                                       "librocksdbjni-linux64.so"
                                                       "librocksdbjni-linux-aarch64.so"))))
              "RocksDB's library is extracted for -Djava.library.path"))))
    (testing "preparing the same jar again reuses the copy"
      (let [before (.lastModified (io/file (:jar (store-jar/prepare! (first jars) (str dir)))))]
        (Thread/sleep 20)
        (is (= before (.lastModified (io/file (:jar (store-jar/prepare! (first jars) (str dir)))))))))
    (testing "only the most recently used versions stay"
      (doseq [j (rest jars)] (Thread/sleep 20) (store-jar/prepare! j (str dir)))
      (let [kept (filter #(str/ends-with? % ".jar") (names dir))]
        (is (= store-jar/keep-versions (count kept)))
        (is (= (set (for [j (take-last store-jar/keep-versions jars)] (str "leasekv-store-" (store-jar/md5 j) ".jar")))
               (set kept)))
        (is (not-any? #(str/includes? % (store-jar/md5 (first jars))) (names dir))
            "the oldest version's jar, marker and native directory are all gone")))))

(deftest the-node-command-names-the-archive-and-library-when-there-are-some
  (let [test {:nodes ["n1" "n2"] :remote nil :base-dir "/tmp/x"}
        with (lkv-db/command (assoc test :remote (reify c/Remote (address [_ n] (str n ".host"))))
                             "n1" {:jar "/j/s.jar" :archive "/j/s.jsa" :native-dir "/j/s-native"})
        without (lkv-db/command (assoc test :remote (reify c/Remote (address [_ n] (str n ".host"))))
                                "n1" {:jar "/x/s.jar"})]
    (is (= ["java" "-Xms64m" "-Xmx512m" "-XX:+UseG1GC" "-XX:CompileThresholdScaling=3" "-XX:SharedArchiveFile=/j/s.jsa"
            "-Djava.library.path=/j/s-native" "-jar" "/j/s.jar"]
           (take 9 with)))
    (is (= ["java" "-Xms64m" "-Xmx512m" "-XX:+UseG1GC" "-XX:CompileThresholdScaling=3" "-jar" "/x/s.jar"]
           (take 7 without)))))

(deftest ^:integration the-archive-made-for-the-real-store-jar-is-accepted-by-the-jvm
  ;; -Xshare:on makes the JVM fail when it cannot map the archive, so exit 0 proves the archive
  ;; matches the shared jar. Needs the store jar (built if missing) and ~5 s for the training node.
  (let [dir (temp-dir)
        local (lkv-db/ensure-jar! (System/getProperty "user.dir"))
        {:keys [jar archive native-dir]} (store-jar/prepare! local (str dir))]
    (is (some? archive) "the training node wrote an archive")
    (let [{:keys [exit out err]} (shell/run ["java" "-Xshare:on" (str "-XX:SharedArchiveFile=" archive)
                                             (str "-Djava.library.path=" native-dir) "-jar" jar "--version"])]
      (is (zero? exit) (str out err)))))
