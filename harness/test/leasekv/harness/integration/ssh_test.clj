(ns ^:integration leasekv.harness.integration.ssh-test
  "The ssh remote, end to end: an sshd runs inside each local namespace (throwaway keys), and a
  short etcd test with partitions and kills goes entirely through JSch: commands, uploads,
  daemons, faults and log download. This is the code path a VM cluster uses. Needs
  openssh-server (/usr/sbin/sshd) and ssh-keygen."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.control :as c]
            [leasekv.harness.control.local :as local]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.control.ssh :as ssh]
            [leasekv.harness.core :as core]
            [leasekv.harness.tests :as tests]
            [leasekv.harness.util :as util])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(def nodes ["n1" "n2" "n3" "n4" "n5"])

(defn- temp-dir [prefix] (str (Files/createTempDirectory prefix (make-array FileAttribute 0))))

(defn- sshd-config [dir node]
  (str/join "\n" [(str "ListenAddress " (local/node-address node))
                  "Port 22"
                  (str "HostKey " dir "/host_key")
                  (str "PidFile " dir "/sshd-" node ".pid")
                  (str "AuthorizedKeysFile " dir "/authorized_keys")
                  "PermitRootLogin prohibit-password" "PasswordAuthentication no"
                  "KbdInteractiveAuthentication no" "UsePAM no" "StrictModes no"
                  "Subsystem sftp internal-sftp" ""]))

(defn start-sshds!
  "Creates the local cluster, generates throwaway keys in a temp dir and starts sshd in every
  namespace. Returns {:remote local-remote :key client-private-key :dir dir}."
  []
  (let [dir (temp-dir "leasekv-sshd")
        remote (local/remote)]
    (shell/run! ["ssh-keygen" "-q" "-t" "ed25519" "-N" "" "-f" (str dir "/host_key")])
    (shell/run! ["ssh-keygen" "-q" "-t" "rsa" "-b" "3072" "-m" "PEM" "-N" "" "-f" (str dir "/client_key")])
    (io/copy (io/file dir "client_key.pub") (io/file dir "authorized_keys"))
    (spit (str dir "/empty") "")
    (.mkdirs (io/file "/run/sshd"))
    (c/setup-cluster! remote nodes)
    (doseq [n nodes]
      (spit (str dir "/sshd-" n ".conf") (sshd-config dir n))
      ;; Root's ~/.bashrc here runs slow tool initialisation, and bash reads it for every SSH
      ;; command; each sshd gets a private mount namespace in which it is an empty file.
      (c/start-daemon! remote n {:cmd ["unshare" "--mount" "--propagation" "private" "sh" "-c"
                                       (str "if [ -f /root/.bashrc ]; then mount --bind " dir "/empty /root/.bashrc; fi; "
                                            "exec /usr/sbin/sshd -D -e -f " dir "/sshd-" n ".conf")]
                                 :logfile (str dir "/sshd-" n ".log") :pidfile (str dir "/sshd-" n ".daemon-pid")}))
    {:remote remote :key (str dir "/client_key") :dir dir}))

(defn stop-sshds! [{:keys [remote dir]}]
  (c/teardown-cluster! remote)
  (shell/run ["rm" "-rf" dir]))

(deftest ^:integration ssh-remote-runs-commands-and-moves-files
  (let [env (start-sshds!)
        r (ssh/remote {:hosts (into {} (map (fn [n] [n (local/node-address n)]) nodes)) :private-key (:key env)})]
    (try
      (c/setup-cluster! r ["n1" "n2"])
      (is (= "n2" (c/exec! r "n2" "hostname")) "commands run on the node")
      (is (= "10.77.0.12" (c/address r "n2")))
      (is (= 3 (:exit (c/exec-result r "n1" "exit 3"))))
      (is (= "it's \"quoted\"" (c/exec! r "n1" (c/join "echo" "it's \"quoted\""))))
      (let [local-file (str (:dir env) "/payload") back (str (:dir env) "/back/payload")]
        (spit local-file "payload\n")
        (c/upload! r "n1" local-file "/var/tmp/leasekv-ssh-test/x/payload")
        (is (= "payload" (c/exec! r "n1" "cat /var/tmp/leasekv-ssh-test/x/payload")))
        (c/download! r "n1" "/var/tmp/leasekv-ssh-test/x/payload" back)
        (is (= "payload\n" (slurp back))))
      (testing "a daemon outlives its SSH channel"
        (let [pid (c/start-daemon! r "n2" {:cmd ["sleep" "300"] :logfile "/var/tmp/leasekv-ssh-test/s.log"
                                           :pidfile "/var/tmp/leasekv-ssh-test/s.pid"})]
          (Thread/sleep 300)
          (is (= pid (c/daemon-pid r "n2" "/var/tmp/leasekv-ssh-test/s.pid")))
          (is (true? (c/kill-daemon! r "n2" "/var/tmp/leasekv-ssh-test/s.pid")))))
      (finally
        (c/teardown-cluster! r)
        (shell/run ["rm" "-rf" "/var/tmp/leasekv-ssh-test"])
        (stop-sshds! env)))))

(deftest ^:integration etcd-test-through-ssh
  (let [env (start-sshds!)
        nodes-file (str (:dir env) "/nodes")]
    (spit nodes-file (str/join "\n" (map #(str % "=" (local/node-address %)) nodes)))
    (try
      (let [t (core/run-test!
               (tests/build-test {:nodes-file nodes-file :username "root" :ssh-private-key (:key env) :ssh-port 22
                                  :concurrency "2n" :time-limit 15 :rate 100.0 :workload "register"
                                  :nemesis "partition,kill" :nemesis-interval 3.0 :db "etcd"
                                  :partitions "random-halves,isolate-leader,bridge"
                                  :ops-per-key 150 :threads-per-key 5 :request-timeout-ms 2000
                                  :results-dir (:dir env) :base-dir "/var/tmp/leasekv-harness"}))
            r (:results t)]
        (is (= "ssh" (get-in t [:options :remote])))
        (is (true? (:valid? r)) (pr-str (select-keys r [:valid? :stats])))
        (is (.exists (io/file (:store-dir t) "n3" "etcd.log")) "node logs came back over SFTP"))
      (finally (stop-sshds! env)))))
