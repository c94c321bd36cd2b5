(ns leasekv.harness.db.etcd
  "etcd 3.4 (Debian's etcd-server, /usr/bin/etcd) as a system under test: a static cluster of
  every node in the test, one member per node, client port 2379, peer port 2380. Data, log and
  pid file live in the node's directory (leasekv.harness.db/node-dir)."
  (:require [clojure.string :as str]
            [leasekv.harness.control :as c]
            [leasekv.harness.db :as db]
            [leasekv.harness.etcd.gateway :as gw]
            [leasekv.harness.log :as log]
            [leasekv.harness.util :as util]))

(defn- paths [test node]
  (let [dir (db/node-dir test node)]
    {:dir dir :data (str dir "/etcd-data") :log (str dir "/etcd.log") :pid (str dir "/etcd.pid")}))

(defn- peer-url [test node] (str "http://" (c/address (:remote test) node) ":" gw/peer-port))
(defn- client-url [test node] (str "http://" (c/address (:remote test) node) ":" gw/client-port))

(defn initial-cluster
  "Returns etcd's --initial-cluster value for the test's nodes."
  [test]
  (str/join "," (map #(str % "=" (peer-url test %)) (:nodes test))))

(defn command
  "Returns the etcd command line (a vector) for node."
  [test node]
  (let [{:keys [data]} (paths test node)]
    [(:etcd-binary test "etcd")
     "--name" node
     "--data-dir" data
     "--listen-peer-urls" (peer-url test node)
     "--initial-advertise-peer-urls" (peer-url test node)
     "--listen-client-urls" (client-url test node)
     "--advertise-client-urls" (client-url test node)
     "--initial-cluster" (initial-cluster test)
     "--initial-cluster-state" "new"
     "--initial-cluster-token" "leasekv-harness"
     "--logger" "zap" "--log-outputs" "stderr"]))

(defn- start-member! [test node]
  (let [{:keys [dir log pid]} (paths test node)]
    (c/start-daemon! (:remote test) node {:cmd (command test node) :logfile log :pidfile pid :chdir dir})))

(defn- await-serving!
  "Waits until node answers a linearizable read, which needs a leader and a quorum."
  [test node]
  (let [conn (gw/conn (c/address (:remote test) node) 2000)
        {:keys [pid log]} (paths test node)]
    (c/await-daemon! (:remote test) node {:pidfile pid :logfile log :what "etcd (serving reads)"}
                     #(gw/get-key conn "leasekv-harness-probe" false))))

(defrecord EtcdDB []
  db/DB
  (setup! [_ test node]
    (let [{:keys [dir pid]} (paths test node)]
      (c/kill-daemon! (:remote test) node pid)
      (c/exec! (:remote test) node (c/join "rm" "-rf" dir))
      (start-member! test node)
      (await-serving! test node)
      (log/info! "etcd member" node "is serving")))
  (teardown! [_ test node]
    (let [{:keys [dir pid]} (paths test node)]
      (c/kill-daemon! (:remote test) node pid)
      (c/exec! (:remote test) node (c/join "rm" "-rf" dir))))

  db/Kill
  (start! [_ test node]
    (if (c/daemon-pid (:remote test) node (:pid (paths test node)))
      :already-running
      (do (start-member! test node) :started)))
  (kill! [_ test node]
    (if (c/kill-daemon! (:remote test) node (:pid (paths test node))) :killed :not-running))

  db/Pause
  (pause! [_ test node]
    (if (c/signal-daemon! (:remote test) node (:pid (paths test node)) "STOP") :paused :not-running))
  (resume! [_ test node]
    (if (c/signal-daemon! (:remote test) node (:pid (paths test node)) "CONT") :resumed :not-running))

  db/Primary
  (primaries [_ test]
    (->> (:nodes test)
         (util/real-pmap
          (fn [node]
            (try (let [{:keys [member-id leader-id]}
                       (gw/status (gw/conn (c/address (:remote test) node) 1000))]
                   (when (and member-id (= member-id leader-id)) node))
                 (catch Exception _ nil))))
         (remove nil?)
         vec))

  db/Transfer
  (transfer-leadership! [this test node]
    (let [leader (or (first (db/primaries this test))
                     (throw (ex-info "No leader to transfer from" {:type :no-leader})))
          conn-of #(gw/conn (c/address (:remote test) %) 5000)
          target-id (:member-id (gw/status (conn-of node)))]
      (gw/move-leader! (conn-of leader) target-id)
      (str leader " -> " node)))

  db/LogFiles
  (log-files [_ test node] {(:log (paths test node)) "etcd.log"}))

(defn db
  "Returns the etcd DB."
  []
  (->EtcdDB))
