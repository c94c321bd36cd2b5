(ns ^:integration leasekv.harness.integration.ssh-test
  "The ssh remote, end to end: an sshd runs inside each local namespace (throwaway keys), and
  short tests with faults go entirely through JSch: commands, uploads, daemons, faults and log
  download. A short etcd test logs in as root; a leasekv test logs in as a throwaway user with
  passwordless sudo, exactly as the harness logs in to the Vagrant VMs (--username vagrant):
  every command through `sudo -n`, the store jar uploaded through /tmp and moved by sudo, logs
  copied out by sudo. Needs openssh-server (/usr/sbin/sshd) and ssh-keygen; the sudo test also
  sudo, useradd and visudo (skipped with a message without them)."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.control :as c]
            [leasekv.harness.control.local :as local]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.control.ssh :as ssh]
            [leasekv.harness.core :as core]
            [leasekv.harness.history :as h]
            [leasekv.harness.integration.support :as support]
            [leasekv.harness.slot :as slot]
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
  namespace. Returns {:remote local-remote :key client-private-key :ed25519-key another :dir dir}:
  :key is RSA in PEM format, :ed25519-key the OpenSSH format that docs/vagrant.md tells users to
  generate for the VMs."
  []
  (let [dir (temp-dir "leasekv-sshd")
        remote (local/remote)]
    (shell/run! ["ssh-keygen" "-q" "-t" "ed25519" "-N" "" "-f" (str dir "/host_key")])
    (shell/run! ["ssh-keygen" "-q" "-t" "rsa" "-b" "3072" "-m" "PEM" "-N" "" "-f" (str dir "/client_key")])
    (shell/run! ["ssh-keygen" "-q" "-t" "ed25519" "-N" "" "-C" "leasekv-harness" "-f" (str dir "/client_ed25519")])
    (spit (str dir "/authorized_keys") (str (slurp (str dir "/client_key.pub")) (slurp (str dir "/client_ed25519.pub"))))
    (spit (str dir "/empty") "")
    (.mkdirs (io/file "/run/sshd"))
    (c/setup-cluster! remote nodes)
    (doseq [n nodes]
      (spit (str dir "/sshd-" n ".conf") (sshd-config dir n))
      ;; Root's ~/.bashrc here runs slow tool initialisation, and bash reads it for every SSH
      ;; command; each sshd gets a private mount namespace in which it is an empty file. Inside a
      ;; chroot (fresh-machine.sh) / is not a mount point, so no private propagation can be set:
      ;; there sshd runs without the trick (a fresh machine's .bashrc is Debian's, and fast).
      (let [sshd (str "exec /usr/sbin/sshd -D -e -f " dir "/sshd-" n ".conf")
            private (str "if [ -f /root/.bashrc ]; then mount --bind " dir "/empty /root/.bashrc; fi; " sshd)]
        (c/start-daemon! remote n {:cmd ["sh" "-c" (str "if unshare --mount --propagation private true 2>/dev/null; "
                                                        "then exec unshare --mount --propagation private sh -c "
                                                        (c/escape private) "; else " sshd "; fi")]
                                   :logfile (str dir "/sshd-" n ".log") :pidfile (str dir "/sshd-" n ".daemon-pid")})))
    {:remote remote :key (str dir "/client_key") :ed25519-key (str dir "/client_ed25519") :dir dir}))

(defn stop-sshds! [{:keys [remote dir]}]
  (c/teardown-cluster! remote)
  (shell/run ["rm" "-rf" dir]))

(deftest ^:integration ssh-remote-runs-commands-and-moves-files
  (let [env (start-sshds!)
        r (ssh/remote {:hosts (into {} (map (fn [n] [n (local/node-address n)]) nodes)) :private-key (:key env)})]
    (try
      (c/setup-cluster! r ["n1" "n2"])
      (is (= "n2" (c/exec! r "n2" "hostname")) "commands run on the node")
      (is (= (local/node-address "n2") (c/address r "n2")))
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
      (testing "a key the node does not accept fails at once, naming the user and host"
        (shell/run! ["ssh-keygen" "-q" "-t" "ed25519" "-N" "" "-f" (str (:dir env) "/stranger")])
        (let [stranger (ssh/remote {:hosts {"n3" (local/node-address "n3")} :private-key (str (:dir env) "/stranger")})
              t0 (System/nanoTime)
              e (try (c/setup-cluster! stranger ["n3"]) nil (catch Exception e e))]
          (is (re-find #"SSH login refused for user root on 10\.\d+\.0\.13" (str (ex-message e) " " (some-> e ex-cause ex-message))))
          (is (< (/ (- (System/nanoTime) t0) 1e9) 10.0) "no 30 s of retries")
          (c/teardown-cluster! stranger)))
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
                                  :results-dir (:dir env) :base-dir (slot/default-base-dir)}))
            r (:results t)]
        (is (= "ssh" (get-in t [:options :remote])))
        (is (true? (:valid? r)) (pr-str (select-keys r [:valid? :stats])))
        (is (.exists (io/file (:store-dir t) "n3" "etcd.log")) "node logs came back over SFTP"))
      (finally (stop-sshds! env)))))

;; ---------------------------------------------------------------------------------------------
;; A non-root login with sudo, as on the VMs

(def sudo-user
  "The throwaway login of the sudo test, one per slot so concurrent slots do not share it."
  (str "lkvssh" slot/slot))

(defn- have-tools? [& tools]
  (every? #(zero? (:exit (shell/run ["sh" "-c" (str "command -v " %)]))) tools))

(defn- with-sudo-user
  "Creates sudo-user (home under dir, shell /bin/sh, not locked, so sshd lets it in with a key)
  with passwordless sudo, as a Vagrant box's vagrant user has, calls f, then removes both."
  [dir f]
  (let [sudoers (str "/etc/sudoers.d/leasekv-ssh-test-" slot/slot)
        draft (str dir "/sudoers")]
    (shell/run ["userdel" "-r" sudo-user])
    (shell/run! ["useradd" "-m" "-d" (str dir "/home") "-s" "/bin/sh" sudo-user])
    (try
      (shell/run! ["usermod" "-p" "*" sudo-user])
      ;; sshd reads authorized_keys as the user: let it through the (root-only) temp dir to its
      ;; home and the shared authorized_keys; the private keys keep their own 0600.
      (shell/run! ["chmod" "711" dir])
      (shell/run! ["chmod" "644" (str dir "/authorized_keys")])
      (spit draft (str sudo-user " ALL=(ALL) NOPASSWD:ALL\n"))
      ;; A broken file in /etc/sudoers.d breaks every sudo on the machine: check it first.
      (shell/run! ["visudo" "-cqf" draft])
      (shell/run! ["install" "-m" "0440" draft sudoers])
      (f)
      (finally
        (shell/run ["rm" "-f" sudoers])
        ;; userdel refuses while the user's SSH sessions are still closing.
        (loop [i 0]
          (when (and (pos? (:exit (shell/run ["userdel" "-r" sudo-user]))) (< i 20))
            (Thread/sleep 500)
            (recur (inc i))))))))

(defn- in-chroot?
  "True inside a chroot (fresh-machine.sh), where / is not a mount point."
  []
  (pos? (:exit (shell/run ["unshare" "--mount" "--propagation" "private" "true"]))))

(deftest ^:integration leasekv-test-through-ssh-as-a-sudo-user
  (cond
    (not (have-tools? "sudo" "useradd" "visudo"))
    (println "SKIPPED leasekv-test-through-ssh-as-a-sudo-user: needs sudo, useradd and visudo (apt-get install sudo)")
    ;; Known gap: in fresh-machine.sh's chroot sshd refuses the throwaway user's key (root's is
    ;; accepted); not yet understood. CI and real machines are not chroots.
    (in-chroot?)
    (println "SKIPPED leasekv-test-through-ssh-as-a-sudo-user: inside a chroot sshd refuses the throwaway user's key (known gap, docs/harness.md)")
    :else
    (let [env (start-sshds!)
          nodes-file (str (:dir env) "/nodes")
          ;; A fresh node directory, so the store jar really travels over SFTP and sudo.
          base-dir (str (slot/default-base-dir) "-ssh-sudo-test")]
      (spit nodes-file (str/join "\n" (map #(str % "=" (local/node-address %)) nodes)))
      (try
        (with-sudo-user
          (:dir env)
          (fn []
            (support/call-with-results-dir
             (fn [results-dir]
               (let [t (core/run-test!
                        (tests/build-test {:nodes-file nodes-file :username sudo-user :ssh-private-key (:ed25519-key env)
                                           :ssh-port 22 :concurrency "2n" :time-limit 25 :rate 100.0
                                           ;; Every fault comes once in each round of 3 x 2 x 2 s.
                                           :workload "register" :nemesis "partition,kill,pause" :nemesis-interval 2.0
                                           :db "leasekv" :leasekv-routing "follow"
                                           :partitions "random-halves,isolate-leader,majorities-ring,bridge,one-way"
                                           :ops-per-key 150 :threads-per-key 5 :request-timeout-ms 1000
                                           :results-dir results-dir :base-dir base-dir}))
                     r (:results t)
                     ops (h/ops (:history t))
                     log (slurp (io/file (:store-dir t) "harness.log"))]
                 (is (= "ssh" (get-in t [:options :remote])))
                 (is (true? (:valid? r)) (pr-str (select-keys r [:valid? :stats])))
                 (testing "the store jar went up through SFTP and sudo, to every node"
                   (is (= 5 (count (re-seq #"Store jar on n[1-5] uploaded" log))) log))
                 (testing "faults ran through sudo"
                   (is (some #(and (= :start-partition (:f %)) (map? (:value %))) ops))
                   (is (some #(and (= :kill (:f %)) (map? (:value %)) (some #{:killed} (vals (:value %)))) ops))
                   (is (some #(and (= :pause (:f %)) (map? (:value %)) (some #{:paused} (vals (:value %)))) ops)))
                 (testing "node logs came back through sudo and SFTP"
                   (let [logs (for [n nodes :let [f (io/file (:store-dir t) n "store.log")]]
                                (when (.exists f) (slurp f)))]
                     (doseq [[n text] (map vector nodes logs)]
                       (is (some-> text (str/includes? (str "INFO node starting " n))) (str n "'s store.log")))
                     (is (some #(some->> % (re-find #"role=leader")) logs) "one of them led")))
                 (is (str/blank? (:out (shell/run ["sh" "-c" "ls /tmp | grep '^leasekv-\\(up\\|down\\)load-' || true"])))
                     "no temporary copies left in /tmp"))))))
        (finally
          (stop-sshds! env)
          (shell/run ["rm" "-rf" "--one-file-system" base-dir]))))))
