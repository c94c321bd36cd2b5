(ns leasekv.harness.vagrant-test
  "The Vagrant cluster's files, checked without VMs (this machine cannot boot them):
  `vagrant validate --ignore-provider` accepts vagrant/Vagrantfile and defines exactly the nodes
  of vagrant/nodes; a broken nodes file is refused; vagrant/nodes is what --nodes-file reads;
  provision.sh refuses bad arguments before it changes anything. Needs `vagrant` (Debian's
  package); without it the Vagrant checks are skipped with a message saying so."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.tests :as tests])
  (:import (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)))

(def vagrant-dir "vagrant")

(defn- temp-dir [prefix] (str (Files/createTempDirectory prefix (make-array FileAttribute 0))))

(defn- vagrant-installed? []
  (zero? (:exit (shell/run ["sh" "-c" "command -v vagrant"]))))

(defn- validate
  "Runs `vagrant validate --ignore-provider` on the Vagrantfile in dir, keeping Vagrant's state
  (.vagrant, ~/.vagrant.d) in a temp dir. Returns {:exit :out :err}."
  [dir]
  (let [state (temp-dir "leasekv-vagrant-state")]
    (try (shell/run ["env" (str "VAGRANT_CWD=" dir) (str "VAGRANT_HOME=" state "/home")
                     (str "VAGRANT_DOTFILE_PATH=" state "/dot") "VAGRANT_CHECKPOINT_DISABLE=1"
                     "vagrant" "validate" "--ignore-provider" "--no-color"]
                    {:timeout-ms 120000})
         (finally (shell/run ["rm" "-rf" state])))))

(defn- copy-of-vagrant-dir
  "Returns a temp dir holding copies of the Vagrant files, for changing them in a test."
  []
  (let [dir (temp-dir "leasekv-vagrant-copy")]
    (doseq [f ["Vagrantfile" "provision.sh" "nodes"]]
      (io/copy (io/file vagrant-dir f) (io/file dir f)))
    dir))

(defn- validated-machines
  "Returns the machine names `vagrant validate` announced (`==> n1: Ignoring provider ...`)."
  [out]
  (vec (map second (re-seq #"==> ([^:\s]+): Ignoring provider config" out))))

(deftest nodes-file-lists-five-nodes-for-the-ssh-remote
  (let [[nodes hosts] (tests/parse-node-specs (str/split-lines (slurp (io/file vagrant-dir "nodes"))))]
    (is (= ["n1" "n2" "n3" "n4" "n5"] nodes))
    (is (= (map #(str "192.168.56." %) (range 11 16)) (map hosts nodes)))
    (testing "--nodes-file implies the ssh remote; nothing connects while the test is built"
      (let [t (tests/build-test {:nodes-file (str vagrant-dir "/nodes") :username "vagrant" :ssh-port 22
                                 :concurrency "2n" :time-limit 10 :rate 10.0 :workload "register"
                                 :nemesis "partition" :nemesis-interval 5.0 :db "leasekv"
                                 :ops-per-key 10 :threads-per-key 2 :request-timeout-ms 1000
                                 :results-dir "results" :base-dir "/var/tmp/leasekv-harness"})]
        (is (= "ssh" (get-in t [:options :remote])))
        (is (= nodes (:nodes t)))
        (is (= hosts (get-in t [:remote :opts :hosts])))
        (is (= "vagrant" (get-in t [:remote :opts :username])))))))

(deftest vagrantfile-validates
  (if-not (vagrant-installed?)
    (println "SKIPPED vagrantfile-validates: `vagrant` is not installed (apt-get install vagrant)")
    (let [{:keys [exit out err]} (validate (.getCanonicalPath (io/file vagrant-dir)))]
      (is (zero? exit) (str out err))
      (is (str/includes? out "Vagrantfile validated successfully") out)
      (is (= ["n1" "n2" "n3" "n4" "n5"] (validated-machines out))
          "one machine per line of vagrant/nodes"))))

(deftest vagrantfile-refuses-what-it-cannot-run
  (if-not (vagrant-installed?)
    (println "SKIPPED vagrantfile-refuses-what-it-cannot-run: `vagrant` is not installed")
    (let [dir (copy-of-vagrant-dir)]
      (try
        (testing "a nodes line that is not name=IPv4-address"
          (spit (io/file dir "nodes") "n1=192.168.56.11\nn2=somewhere\n")
          (let [{:keys [exit out err]} (validate dir)]
            (is (not (zero? exit)))
            (is (str/includes? (str out err) "expected name=IPv4-address, got \"n2=somewhere\""))))
        (testing "a missing provisioning script"
          (io/copy (io/file vagrant-dir "nodes") (io/file dir "nodes"))
          (io/delete-file (io/file dir "provision.sh"))
          (let [{:keys [exit out err]} (validate dir)]
            (is (not (zero? exit)))
            (is (str/includes? (str out err) "provision.sh"))))
        (finally (shell/run ["rm" "-rf" dir]))))))

(defn- provision [& args]
  (shell/run (into ["bash" (str vagrant-dir "/provision.sh")] args) {:timeout-ms 30000}))

(deftest provision-script-refuses-bad-arguments-before-changing-anything
  (is (zero? (:exit (shell/run ["bash" "-n" (str vagrant-dir "/provision.sh")]))) "bash syntax")
  (if-not (= "0" (str/trim (:out (shell/run ["id" "-u"]))))
    (println "SKIPPED provision-script-refuses-bad-arguments: needs root (as on the VMs)")
    (do
      (let [{:keys [exit err]} (provision "n1" "")]
        (is (= 1 exit))
        (is (str/includes? err "ssh-keygen -t ed25519 -N '' -C leasekv-harness -f vagrant/harness_key")
            "a missing key names the command that makes it"))
      (let [{:keys [exit err]} (provision "n1" "not a key")]
        (is (= 1 exit))
        (is (str/includes? err "does not look like an OpenSSH public key")))
      (let [{:keys [exit err]} (provision "n 1" "ssh-ed25519 AAAA")]
        (is (= 1 exit))
        (is (str/includes? err "NODE_NAME must be a host name")))
      (let [{:keys [exit err]} (shell/run ["env" "HARNESS_USER=leasekv-no-such-user" "bash"
                                           (str vagrant-dir "/provision.sh") "n1" "ssh-ed25519 AAAA x"])]
        (is (= 1 exit))
        (is (str/includes? err "user leasekv-no-such-user does not exist"))))))
