(ns ^:integration leasekv.harness.integration.local-remote-test
  "The local remote on real network namespaces: created, reachable, partitioned, healed, and
  fully removed. Needs root, iproute2, iptables, curl and etcd (a single member serves as the
  HTTP listener)."
  (:require [leasekv.harness.slot :as slot]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.control :as c]
            [leasekv.harness.control.local :as local]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.net :as net]
            [leasekv.harness.util :as util]))

(def nodes ["n1" "n2" "n3"])

(defn- reachable? [remote from to]
  (zero? (:exit (c/exec-result remote from (str "curl -s -m 2 -o /dev/null http://" (local/node-address to) ":2379/version")))))

(deftest ^:integration namespaces-are-created-partitioned-and-removed
  (let [remote (local/remote)
        test {:remote remote :nodes nodes}
        pidfile "/var/tmp/leasekv-harness-test/n2/etcd.pid"]
    (try
      (c/setup-cluster! remote nodes)
      (testing "each node has its namespace, address and hostname"
        (is (= (set (map local/namespace-name nodes)) (set (local/harness-namespaces))))
        (doseq [n nodes]
          (is (= n (c/exec! remote n "hostname")))
          (is (str/includes? (c/exec! remote n "ip -o -4 addr show eth0") (local/node-address n)))))
      (testing "setup is idempotent: a second setup cleans the first"
        (c/setup-cluster! remote nodes)
        (is (= 3 (count (local/harness-namespaces)))))
      (c/start-daemon! remote "n2" {:cmd ["etcd" "--name" "probe" "--data-dir" "/var/tmp/leasekv-harness-test/n2/data"
                                          "--listen-client-urls" (str "http://" (local/node-address "n2") ":2379")
                                          "--advertise-client-urls" (str "http://" (local/node-address "n2") ":2379")
                                          "--listen-peer-urls" "http://127.0.0.1:2380"]
                                    :logfile "/var/tmp/leasekv-harness-test/n2/etcd.log" :pidfile pidfile})
      (testing "nodes reach each other over the bridge"
        (is (util/await-fn #(reachable? remote "n1" "n2") {:timeout-ms 30000 :what "the HTTP listener"}))
        (is (reachable? remote "n3" "n2")))
      (testing "a partition cuts exactly what its grudge says"
        (net/partition! test (net/complete-grudge [["n1"] ["n2" "n3"]]))
        (is (= 2 (count (net/rules test "n1"))))
        (is (not (reachable? remote "n1" "n2")))
        (is (reachable? remote "n3" "n2")))
      (testing "heal removes every harness rule"
        (net/heal! test)
        (is (empty? (mapcat #(net/rules test %) nodes)))
        (is (reachable? remote "n1" "n2")))
      (testing "a daemon is seen, paused, resumed and killed by its pid file"
        (is (some? (c/daemon-pid remote "n2" pidfile)))
        (is (true? (c/signal-daemon! remote "n2" pidfile "STOP")))
        (is (not (reachable? remote "n1" "n2")) "a paused server does not answer")
        (is (true? (c/signal-daemon! remote "n2" pidfile "CONT")))
        (is (reachable? remote "n1" "n2")))
      (finally
        (c/teardown-cluster! remote)))
    (testing "teardown removes namespaces, bridge, UTS files and processes"
      (is (empty? (local/harness-namespaces)))
      (is (not (str/includes? (:out (shell/run ["ip" "-o" "link" "show"])) (str (slot/prefix) "-"))))
      (is (not (zero? (:exit (shell/run ["pgrep" "-f" "etcd --name probe"])))))
      (is (empty? (seq (.listFiles (java.io.File. local/uts-dir))))))
    (shell/run ["rm" "-rf" "/var/tmp/leasekv-harness-test"])))
