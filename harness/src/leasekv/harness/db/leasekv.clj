(ns leasekv.harness.db.leasekv
  "The leasekv store as a system under test. Setup builds store/node/target/leasekv-store.jar with
  Maven when it is missing or older than any store source, uploads it into every node's
  directory (local nodes instead share one copy with a CDS archive: db.store-jar), starts
  `java -jar leasekv-store.jar --id <node> --peers ...` there and waits until the node knows a
  leader. Faults are signals to the node's pid; logs are its stdout."
  (:require [clojure.java.io :as io]
            [leasekv.harness.build :as build]
            [clojure.string :as str]
            [leasekv.harness.client.leasekv :as lkv-client]
            [leasekv.harness.control :as c]
            [leasekv.harness.db :as db]
            [leasekv.harness.db.node-env :as node-env]
            [leasekv.harness.db.store-jar :as store-jar]
            [leasekv.harness.log :as log]
            [leasekv.harness.util :as util])
  (:import (java.io File)
           (leasekv.client LeaseKvClient Role)))

(def peer-port 7000)
(def metrics-port 9100)
(def default-jar "store/node/target/leasekv-store.jar")

(defn- newest-source-millis
  "Returns the newest modification time among the store's sources and poms (and the root pom)."
  [root]
  (->> (concat (file-seq (io/file root "store")) [(io/file root "pom.xml")])
       (filter (fn [^File f] (and (.isFile f)
                                  (not (str/includes? (.getPath f) "/target/"))
                                  (or (str/ends-with? (.getName f) ".java")
                                      (= "pom.xml" (.getName f))
                                      (str/includes? (.getPath f) "/src/main/resources/")))))
       (map #(.lastModified ^File %))
       (reduce max 0)))

(defn jar-stale?
  "True when the jar at jar-path is missing or older than a source of the store under root."
  [root jar-path]
  (let [jar (io/file jar-path)]
    (or (not (.exists jar)) (< (.lastModified jar) (newest-source-millis root)))))

(defn ensure-jar!
  "Builds the store's jar with Maven (store/node and what it needs) when it is missing or stale.
  Takes the repository root. Returns the jar's path. Throws ex-info with Maven's output on failure."
  [root]
  (build/ensure-jar! root "store/node" default-jar "missing or older than the store's sources"
                     #(jar-stale? root %)))

(defn install-jar!
  "Puts the local jar at jar-path on node unless an identical copy (same MD5) is already there.
  The jar outlives teardown (it is large), so a run after the first uploads nothing."
  [test node local-jar jar-path]
  (let [remote (:remote test)
        there (first (str/split (:out (c/exec-result remote node (str "md5sum " (c/escape jar-path) " 2>/dev/null"))) #"\s+"))]
    (if (= there (store-jar/md5 local-jar))
      :unchanged
      (do (c/upload! remote node local-jar jar-path) :uploaded))))

(defn local-jar
  "Returns the store jar to install: the test's :store-jar as given, or the repository's,
  built first when missing or stale."
  [test]
  (if-let [jar (:store-jar test)]
    (if (.exists (io/file jar))
      jar
      (throw (ex-info (str "--store-jar " jar " does not exist") {:type :bad-option})))
    (ensure-jar! (:repo-root test (System/getProperty "user.dir")))))

(defn- paths [test node]
  (let [dir (db/node-dir test node)]
    {:dir dir :jar (str dir "/leasekv-store.jar") :data (str dir "/data")
     :log (str dir "/store.log") :pid (str dir "/store.pid")}))

(defn- install!
  "Puts the store jar where node runs it and returns what node runs: {:jar path, :archive
  path-or-nil, :native-dir path-or-nil}. Nodes that share the harness's filesystem (the local
  remote) run one content-addressed copy with a CDS archive (leasekv.harness.db.store-jar); others
  get the jar uploaded into their directory. local is the local jar (see local-jar)."
  [test node local]
  (if (c/shares-filesystem? (:remote test))
    (store-jar/prepare! local)
    (let [{:keys [jar]} (paths test node)]
      (log/info! "Store jar on" node (name (install-jar! test node local jar)))
      {:jar jar})))

(defn peers
  "Returns the --peers value for the test: id=host:peerPort:clientPort for every node."
  [test]
  (str/join "," (for [n (:nodes test)]
                  (str n "=" (c/address (:remote test) n) ":" peer-port ":" lkv-client/client-port))))

(defn command
  "Takes the test, the node and what it runs ({:jar :archive :native-dir}, see install!). Returns
  the command line (a vector) that starts the store on node."
  [test node {:keys [jar archive native-dir]}]
  (let [{:keys [data]} (paths test node)
        unsafe (:unsafe test)]
    (vec (concat
          ;; CompileThresholdScaling=3: a method is JIT-compiled after 3x the usual calls. Five
          ;; nodes starting on two cores spent ~40% of their start-up CPU compiling code that runs
          ;; only at start-up; hot paths still compile within the first seconds (warmed-up
          ;; throughput unchanged, docs/performance.md, "Cluster start").
          [store-jar/node-java "-Xms64m" (str "-Xmx" (:store-heap test "512m")) "-XX:+UseG1GC"
           "-XX:CompileThresholdScaling=3"]
          (when archive [(str "-XX:SharedArchiveFile=" archive)])
          (when native-dir [(str "-Djava.library.path=" native-dir)])
          ["-jar" jar
           "--id" node
           "--peers" (peers test)
           "--data-dir" data
           "--client-addr" (str "0.0.0.0:" lkv-client/client-port)
           "--peer-addr" (node-env/store-peer-addr test)
           "--metrics-addr" (str "0.0.0.0:" metrics-port)]
          (when-let [m (:read-mode test)] ["--read-mode" m])
          (when-let [m (:fsm-sync-mode test)] ["--fsm-sync-mode" m])
          (when (or unsafe (some #{:transfer :clock :stall-apply :crash-at} (:faults test))) ["--test-hooks"])
          (when unsafe ["--unsafe" unsafe])
          (when-let [extra (:store-args test)] (remove str/blank? (str/split extra #"\s+")))))))

(defn- start-node! [test node installed]
  (node-env/before-start! test node)
  (let [{:keys [dir log pid]} (paths test node)]
    (c/start-daemon! (:remote test) node {:cmd (command test node installed) :logfile log :pidfile pid :chdir dir})))

(defn- role-of
  "Returns node's Role (asking it directly, no redirects), or nil when it does not answer."
  ^Role [test node]
  (try (with-open [^LeaseKvClient conn (-> (LeaseKvClient/builder)
                                           (.nodes [(str (c/address (:remote test) node) ":" lkv-client/client-port)])
                                           (.pinned true)
                                           (.requestTimeoutMillis (int 1000))
                                           (.build))]
         (.role conn))
       (catch Exception _ nil)))

(defn- await-leader! [test node]
  (let [{:keys [pid log]} (paths test node)]
    (c/await-daemon! (:remote test) node {:pidfile pid :logfile log :what "leasekv (knowing a leader)"}
                     (fn [] (let [r (role-of test node)]
                              (and r (not= "replaying" (.role r)) (.leaderId r)))))))

;; installed: an atom of node -> what install! returned at setup, so that a restart runs the same
;; jar as the test began with (a rebuild meanwhile must not mix versions) and does not look again.
;; local: an atom of the local jar, resolved (built when stale) by the first node's setup only: the
;; staleness check walks the store's sources, and the nodes, set up in parallel, each waited for it.
(defrecord LeaseKvDB [installed local]
  db/DB
  (setup! [_ test node] ; db/cycle! ran teardown! on every node already
    (let [jar (install! test node (locking local (or @local (reset! local (local-jar test)))))]
      (swap! installed assoc node jar)
      (node-env/setup! test node)
      (start-node! test node jar)
      (let [leader (await-leader! test node)]
        (log/info! "leasekv on" node "is up; leader" leader))))
  (teardown! [_ test node]
    (let [{:keys [data log pid]} (paths test node)]
      (c/kill-daemon! (:remote test) node pid)
      (node-env/teardown! test node)
      (c/exec! (:remote test) node (c/join "rm" "-rf" data log pid
                                           ;; local nodes run the shared jar; a copy here is an older version's
                                           (if (c/shares-filesystem? (:remote test)) [(:jar (paths test node))] [])))))

  db/Kill
  (start! [_ test node]
    (if (c/daemon-pid (:remote test) node (:pid (paths test node)))
      :already-running
      (do (start-node! test node (or (get @installed node)
                                     (throw (ex-info (str "leasekv was never set up on " node) {:type :not-set-up}))))
          :started)))
  (kill! [_ test node]
    (if (c/kill-daemon! (:remote test) node (:pid (paths test node))) :killed :not-running))

  db/Pause
  (pause! [_ test node]
    (if (c/signal-daemon! (:remote test) node (:pid (paths test node)) "STOP") :paused :not-running))
  (resume! [_ test node]
    (if (c/signal-daemon! (:remote test) node (:pid (paths test node)) "CONT") :resumed :not-running))

  db/Liveness
  (process-state [_ test node]
    (let [{:keys [pid log]} (paths test node)]
      (cond
        (not (c/daemon-pid (:remote test) node pid)) {:died (c/tail (:remote test) node log 15)}
        (when-let [r (role-of test node)] (not= "replaying" (.role r))) :serving
        :else :starting)))

  db/Primary
  (primaries [_ test]
    (->> (:nodes test)
         (util/real-pmap (fn [node] (when-let [r (role-of test node)] (when (.isLeader r) node))))
         (remove nil?)
         vec))

  db/Transfer
  (transfer-leadership! [this test node]
    ;; ADMIN TRANSFER needs --test-hooks; the DB adds it whenever the test's faults include
    ;; :transfer (see command).
    (let [leader (or (first (db/primaries this test))
                     (throw (ex-info "No leader to transfer from" {:type :no-leader})))]
      (with-open [^LeaseKvClient conn (lkv-client/open-client test leader true)]
        (str leader " -> " node ": " (.command conn (into-array String ["ADMIN" "TRANSFER" node]))))))

  db/LogFiles
  (log-files [_ test node] (merge {(:log (paths test node)) "store.log"} (node-env/log-files test node))))

(defn db
  "Returns the leasekv DB."
  []
  (->LeaseKvDB (atom {}) (atom nil)))
