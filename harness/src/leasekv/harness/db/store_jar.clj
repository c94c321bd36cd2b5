(ns leasekv.harness.db.store-jar
  "The store jar as nodes that share the harness's filesystem (the local remote) run it: one
  content-addressed copy for every node, never modified once written, and a class-data-sharing
  (AppCDS) archive made for that copy.

  Why: five JVMs starting at once on two cores spend most of the cluster's start loading and
  verifying the same classes. A dynamic CDS archive (JDK 13+) maps them instead; measured here it
  takes five local nodes from ~7.8 s to ~5.9 s until every node knows a leader (docs/performance.md).
  The JVM accepts an archive only for the exact class path it was made with, unmodified, so the
  nodes run one immutable copy named by its MD5 rather than a copy each.

  The archive is made once per jar and JVM build by running the jar as a one-node cluster on
  loopback, exercising it through the client and stopping it cleanly: the JVM writes the classes it loaded
  when it exits. If that fails, nodes start without an archive (slower, not broken) and the reason
  is logged."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.log :as log])
  (:import (java.io File)
           (java.lang ProcessHandle)
           (java.net InetAddress ServerSocket)
           (java.nio.file CopyOption Files StandardCopyOption)
           (java.nio.file.attribute FileAttribute)
           (java.security MessageDigest)
           (java.util.concurrent TimeUnit)
           (java.util.zip ZipFile)
           (leasekv.client LeaseKvClient)))

(def default-dir
  "Where the content-addressed jars and their archives live; shared by every slot."
  "/var/tmp/leasekv-jars")

(def keep-versions
  "How many jar versions (newest first) stay in the directory; older ones are removed."
  3)

(defonce ^:private md5-cache (atom {}))

(defn md5
  "Returns the hex MD5 of a local file (cached by path, size and modification time)."
  [path]
  (let [f (io/file path)
        k [(.getCanonicalPath f) (.length f) (.lastModified f)]]
    (or (get @md5-cache k)
        (let [d (MessageDigest/getInstance "MD5")]
          (with-open [in (io/input-stream f)]
            (let [buf (byte-array 65536)]
              (loop [] (let [n (.read in buf)] (when (pos? n) (.update d buf 0 n) (recur))))))
          (let [hex (apply str (map #(format "%02x" %) (.digest d)))]
            (swap! md5-cache assoc k hex)
            hex)))))

(def node-java
  "The java nodes run: the one on PATH (the node's command line uses this). The archive is made
  with it too, since a JVM accepts only archives made by its own build."
  "java")

(defn- java-on-path
  "Returns the canonical java.home of the `java` found on PATH, or nil."
  []
  (some (fn [dir]
          (let [f (io/file dir "java")]
            (when (.canExecute f) (some-> (.getCanonicalFile f) .getParentFile .getParentFile str))))
        (str/split (or (System/getenv "PATH") "") #":")))

(defn- java-build
  "Returns [java.home java.runtime.version] of node-java: the harness's own when PATH's java is the
  harness's JVM (no process needed), else asked from node-java itself. Nil when unknown."
  []
  (let [own-home (.getCanonicalPath (io/file (System/getProperty "java.home")))]
    (if (= own-home (java-on-path))
      [own-home (System/getProperty "java.runtime.version")]
      (let [{:keys [exit err]} (shell/run [node-java "-XshowSettings:properties" "-version"])
            props (into {} (keep #(when-let [[_ k v] (re-matches #"\s*(java\.home|java\.runtime\.version) = (.*)" %)] [k v])
                                 (str/split-lines (str err))))]
        (when (and (zero? exit) (= 2 (count props)))
          [(.getCanonicalPath (io/file (props "java.home"))) (props "java.runtime.version")])))))

(defn- base-archive-stamp
  "Returns the size and modification time of the JDK's own CDS archive under java-home: a dynamic
  archive records its base archive's checksum and is silently ignored once the base is regenerated
  (`java -Xshare:dump`), so the base's identity is part of ours."
  [java-home]
  (let [f (io/file java-home "lib" "server" "classes.jsa")]
    (when (.isFile f) (str (.length f) "@" (.lastModified f)))))

(def ^:private node-java-id
  "A short id of node-java's build and base CDS archive, part of the archive's name: a JDK update or
  a regenerated base archive then makes a new archive instead of one the JVM rejects."
  (delay (when-let [[home :as build] (java-build)]
           (format "%08x" (hash (conj build (base-archive-stamp home)))))))

(defn- move-into-place!
  "Renames tmp to target atomically (a concurrent harness in another slot may do the same: the
  last rename wins and both files are complete)."
  [^File tmp ^File target]
  (Files/move (.toPath tmp) (.toPath target)
              (into-array CopyOption [StandardCopyOption/ATOMIC_MOVE StandardCopyOption/REPLACE_EXISTING])))

(defn- copy-jar!
  "Copies local-jar to target unless it is there. Returns target."
  [local-jar ^File target]
  (when-not (.exists target)
    (let [tmp (io/file (str target ".tmp-" (.pid (ProcessHandle/current))))]
      (io/copy (io/file local-jar) tmp)
      (move-into-place! tmp target)))
  target)

(defn- rocksdb-library-name
  "Returns the name of RocksDB's JNI library for this machine inside its jar, or nil when this is
  not a glibc Linux on x86-64 or aarch64 (RocksDB then extracts it itself, as always)."
  []
  (when (= "Linux" (System/getProperty "os.name"))
    (case (System/getProperty "os.arch")
      ("amd64" "x86_64") "librocksdbjni-linux64.so"
      "aarch64" "librocksdbjni-linux-aarch64.so"
      nil)))

(defn- extract-native!
  "Extracts RocksDB's JNI library from jar into dir (once). RocksDB first tries
  System.loadLibrary, so a node started with -Djava.library.path=dir loads it from there instead
  of writing a 15 MB copy to /tmp on every start. Returns dir, or nil when there is no library to
  extract."
  [^File jar ^File dir]
  (when-let [lib (rocksdb-library-name)]
    (let [target (io/file dir lib)]
      (when-not (.exists target)
        (with-open [z (ZipFile. jar)]
          (when-let [entry (.getEntry z lib)]
            (.mkdirs dir)
            (let [tmp (io/file (str target ".tmp-" (.pid (ProcessHandle/current))))]
              (with-open [in (.getInputStream z entry)] (io/copy in tmp))
              (move-into-place! tmp target)))))
      (when (.exists target) (str dir)))))

(defn- free-port []
  (with-open [s (ServerSocket. 0 1 (InetAddress/getLoopbackAddress))]
    (.getLocalPort s)))

(defn- await-leader
  "Polls the node at host:port until it says it leads. Returns true, or false when its process
  exited or after timeout-ms."
  [^Process p address timeout-ms]
  (let [deadline (+ (System/currentTimeMillis) timeout-ms)]
    (loop []
      (let [leader? (try (with-open [^LeaseKvClient c (-> (LeaseKvClient/builder) (.nodes [address]) (.pinned true)
                                                           (.requestTimeoutMillis (int 1000)) (.build))]
                           (.isLeader (.role c)))
                         (catch Exception _ false))]
        (cond leader? true
              (or (not (.isAlive p)) (> (System/currentTimeMillis) deadline)) false
              :else (do (Thread/sleep 100) (recur)))))))

(defn- exercise!
  "Runs the commands the harness's workloads send, so their classes are loaded (and archived)."
  [address metrics-address]
  (with-open [^LeaseKvClient c (-> (LeaseKvClient/builder) (.nodes [address]) (.requestTimeoutMillis (int 5000)) (.build))]
    (dotimes [i 50]
      (let [k (str "k" (mod i 5))]
        (.set c k (str i))
        (.get c k)
        (.read c k)
        (.cas c k (str i) (str i "x"))))
    (.rpush c "l" (into-array String ["1" "2"]))
    (.lrange c "l" 0 -1)
    (.del c "l")
    (.info c))
  (slurp (str "http://" metrics-address "/metrics")))

(defn train-archive!
  "Takes a jar and the archive path to write. Runs the jar as a one-node cluster on loopback with
  -XX:ArchiveClassesAtExit, exercises it and stops it with SIGTERM (a clean exit writes the
  archive). Returns the archive's path, or nil (logging why) when no archive was written."
  [jar ^File archive]
  (let [dir (.toFile (Files/createTempDirectory "leasekv-cds" (make-array FileAttribute 0)))
        tmp (io/file (str archive ".tmp-" (.pid (ProcessHandle/current))))
        [client peer metrics] (repeatedly 3 free-port)
        host "127.0.0.1"
        address (str host ":" client)
        cmd [node-java (str "-XX:ArchiveClassesAtExit=" tmp) "-Xms64m" "-Xmx512m" "-XX:+UseG1GC"
             "-jar" (str jar) "--id" "n1" "--peers" (str "n1=" host ":" peer ":" client)
             "--data-dir" (str dir "/data") "--client-addr" address "--peer-addr" (str host ":" peer)
             "--metrics-addr" (str host ":" metrics) "--election-timeout-ms" "200"]
        started (System/nanoTime)
        p (-> (ProcessBuilder. ^java.util.List cmd)
              (.redirectErrorStream true)
              (.redirectOutput (io/file dir "train.log"))
              (.start))]
    (try
      (if-not (await-leader p address 60000)
        (log/warn! "CDS archive not made: the training node"
                   (if (.isAlive p) "did not become leader in 60 s;" (str "exited (status " (.exitValue p) ");"))
                   (str/join " | " (take-last 3 (str/split-lines (slurp (io/file dir "train.log"))))))
        (do (exercise! address (str host ":" metrics))
            (.destroy p)
            (if (and (.waitFor p 60 TimeUnit/SECONDS) (pos? (.length tmp)))
              (do (move-into-place! tmp archive)
                  (log/info! "CDS archive" (str archive) "made in"
                             (format "%.1f s" (/ (- (System/nanoTime) started) 1e9)))
                  archive)
              (log/warn! "CDS archive not made: the training node's JVM wrote none (exit"
                         (str (when-not (.isAlive p) (.exitValue p)) ");")
                         (str/join " | " (take-last 3 (str/split-lines (slurp (io/file dir "train.log")))))))))
      (catch Exception e
        (log/warn! "CDS archive not made:" (.getMessage e))
        nil)
      (finally
        (.destroyForcibly p)
        (.waitFor p 10 TimeUnit/SECONDS)
        (.delete tmp)
        (run! #(.delete ^File %) (reverse (file-seq dir)))))))

(defn- used-marker ^File [^File jar]
  (io/file (str/replace (str jar) #"\.jar$" ".used")))

(defn- remove-old-versions!
  "Keeps the keep-versions most recently used jars in dir (with their archives and markers) and
  removes the others. Use is recorded in a marker file: touching the jar itself would change its
  modification time, which invalidates its archive."
  [^File dir]
  (let [jars (->> (.listFiles dir)
                  (filter #(re-matches #"leasekv-store-[0-9a-f]{32}\.jar" (.getName ^File %)))
                  (sort-by #(- (.lastModified (used-marker %)))))]
    (doseq [^File old (drop keep-versions jars)
            :let [base (str/replace (str old) #"\.jar$" "")]]
      (run! #(.delete ^File %) (reverse (file-seq (io/file (str base "-native")))))
      (run! #(.delete ^File %) (filter #(and (str/starts-with? (.getName ^File %) (.getName (io/file base)))
                                             (str/ends-with? (.getName ^File %) ".jsa"))
                                       (.listFiles dir)))
      (.delete (used-marker old))
      (.delete old))))

(defonce ^:private lock (Object.))
(defonce ^:private failed-archives (atom #{})) ; tried once in this JVM, not again for every node and test

(defn prepare!
  "Takes the local store jar and (optionally) the directory for shared copies. Returns
  {:jar path-of-the-shared-copy, :archive path-or-nil, :native-dir path-or-nil} (see
  extract-native!), copying the jar, extracting and making its archive the first time (once per
  jar content, JVM build and directory)."
  ([local-jar] (prepare! local-jar default-dir))
  ([local-jar dir]
   (locking lock
     (let [d (doto (io/file dir) (.mkdirs))
           base (str "leasekv-store-" (md5 local-jar))
           jar (copy-jar! local-jar (io/file d (str base ".jar")))
           archive (io/file d (str base "-" (or @node-java-id "unknown-java") ".jsa"))
           marker (used-marker jar)]
       (when-not (.exists marker) (.createNewFile marker))
       (.setLastModified marker (System/currentTimeMillis))
       (remove-old-versions! d)
       {:jar (str jar)
        :native-dir (extract-native! jar (io/file d (str base "-native")))
        :archive (cond (.exists archive) (str archive)
                       (@failed-archives archive) nil
                       :else (or (some-> (train-archive! jar archive) str)
                                 (do (swap! failed-archives conj archive) nil)))}))))
