(ns leasekv.harness.control.local
  "The `local` remote: every node is a network namespace on this machine, lkv-n1..lkv-nN, joined
  by the bridge lkv-br0 (10.77.0.1/24 on the host side); node nI has address 10.77.0.(10+I) and
  its own hostname (a persistent UTS namespace). Commands run as root inside both namespaces,
  so `hostname` answers nI and every socket is the node's own. Files are shared with the host:
  each node keeps its data under its own directory (see leasekv.harness.db/node-dir).

  Setup first removes leftovers of a crashed earlier run; teardown kills every process left in
  the namespaces and removes the namespaces, the bridge and the UTS files. Names and addresses
  above are those of slot 0; see leasekv.harness.slot for running several clusters side by side."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [leasekv.harness.control :as c]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.log :as log]
            [leasekv.harness.slot :as slot]
            [leasekv.harness.util :as util]))

(def bridge (str (slot/prefix) "-br0"))
(def bridge-cidr (str (slot/subnet-prefix) ".1/24"))
(def uts-dir (str "/run/leasekv-harness/uts" (when (pos? slot/slot) slot/slot)))
(def max-nodes 9)

(defn node-index
  "Takes a node name nI (1 <= I <= 9). Returns I; throws ex-info naming the node otherwise."
  [node]
  (if-let [[_ i] (re-matches #"n([1-9])" (str node))]
    (Long/parseLong i)
    (throw (ex-info (str "The local remote names nodes n1..n" max-nodes "; got " (pr-str node))
                    {:type :bad-node :node node}))))

(defn namespace-name [node] (str (slot/prefix) "-" node))
(defn node-address [node] (str (slot/subnet-prefix) "." (+ 10 (node-index node))))
(defn- veth-name [node] (str (slot/prefix) "-v" (node-index node)))
(defn- uts-file [node] (str uts-dir "/" node))

(defn- host! [& argv] (shell/run! (vec argv)))
(defn- host-quiet [& argv] (shell/run (vec argv)))
(defn- in-netns! [ns-name & argv] (shell/run! (into ["nsenter" (str "--net=/run/netns/" ns-name)] argv)))

(defn harness-namespaces
  "Returns the names of the network namespaces on this machine that belong to the harness."
  []
  (->> (str/split-lines (:out (host-quiet "ip" "netns" "list")))
       (map #(first (str/split % #"\s+")))
       (filter #(re-matches (re-pattern (str (slot/prefix) "-n[0-9]+")) (str %)))))

(defn- kill-namespace-processes! [ns-name]
  (let [pids (str/split-lines (str/trim (:out (host-quiet "ip" "netns" "pids" ns-name))))]
    (doseq [pid pids :when (re-matches #"[0-9]+" pid)]
      (host-quiet "kill" "-CONT" pid)
      (host-quiet "kill" "-9" pid))
    (count (filter #(re-matches #"[0-9]+" %) pids))))

(defn cleanup!
  "Removes every namespace, bridge, veth, UTS file and namespace process of the local remote,
  whether this run or a crashed earlier one made them. Idempotent. Returns a map of counts."
  []
  (let [namespaces (harness-namespaces)
        killed (reduce + 0 (map kill-namespace-processes! namespaces))]
    (doseq [n namespaces] (host-quiet "ip" "netns" "del" n))
    (let [links (->> (str/split-lines (:out (host-quiet "ip" "-o" "link" "show")))
                     (keep #(second (re-find (re-pattern (str "^\\d+: (" (slot/prefix) "-[a-z0-9]+)[@:]")) %))))]
      (doseq [l links] (host-quiet "ip" "link" "del" l))
      (let [uts-files (some-> (io/file uts-dir) .listFiles seq)]
        (doseq [^java.io.File f uts-files]
          (host-quiet "umount" (.getPath f))
          (.delete f)))
      {:namespaces (count namespaces) :links (count links) :processes killed})))

(defn- create-node! [node]
  (let [ns-name (namespace-name node)
        veth (veth-name node)
        f (uts-file node)]
    (host! "ip" "netns" "add" ns-name)
    (host! "ip" "link" "add" veth "type" "veth" "peer" "name" "eth0" "netns" ns-name)
    (host! "ip" "link" "set" veth "master" bridge "up")
    ;; nsenter, not `ip -n`: ip remounts / as rslave first, which fails where / is no mount point
    ;; (a chroot, as in a fresh-machine check); nsenter only enters the network namespace.
    (in-netns! ns-name "sh" "-c" (str "ip addr add " (node-address node) "/24 dev eth0"
                                      " && ip link set eth0 up && ip link set lo up"))
    (io/make-parents f)
    (spit f "")
    (host! "unshare" (str "--uts=" f) "hostname" (str node))))

(defn- create-cluster! [nodes]
  (host! "ip" "link" "add" bridge "type" "bridge")
  (host! "ip" "addr" "add" bridge-cidr "dev" bridge)
  (host! "ip" "link" "set" bridge "up")
  (util/real-pmap create-node! nodes)) ; independent of each other: in parallel, ~3x faster

(defn- copy-file!
  "Copies from to to (parents created, an existing file replaced), as `cp -f` on a node would:
  the nodes share this machine's filesystem, so no command is needed."
  [from to]
  (io/make-parents (io/file to))
  (io/copy (io/file from) (io/file to)))

;; Only the network and UTS namespaces are the node's own: files, processes and pids are this
;; machine's (SharedFilesystem, SharedProcesses).
(defrecord LocalRemote [nodes]
  c/SharedFilesystem
  c/SharedProcesses
  c/Remote
  (setup-cluster! [_ new-nodes]
    (doseq [n new-nodes] (node-index n))
    (let [left (cleanup!)]
      (when (pos? (+ (:namespaces left) (:links left)))
        (log/warn! "Removed leftovers of an earlier run:" (pr-str left))))
    (reset! nodes (vec new-nodes))
    (try (create-cluster! new-nodes)
         (catch Exception e (cleanup!) (throw e)))
    (log/info! "Local cluster up:" (str/join ", " (map #(str % "=" (node-address %)) new-nodes)))
    nil)
  (teardown-cluster! [_]
    (let [r (cleanup!)]
      (log/info! "Local cluster removed:" (pr-str r)))
    (reset! nodes [])
    nil)
  (address [_ node] (node-address node))
  (exec* [_ node cmd opts]
    (shell/run ["nsenter" (str "--net=/run/netns/" (namespace-name node))
                (str "--uts=" (uts-file node)) "sh" "-c" cmd]
               opts))
  (upload! [_ _ local-path remote-path] (copy-file! local-path remote-path))
  (download! [_ _ remote-path local-path] (copy-file! remote-path local-path))
  (start-daemon! [this node opts] (c/start-daemon-via-exec! this node opts)))

(defn remote
  "Returns a new local remote (no namespaces exist until setup-cluster!)."
  []
  (->LocalRemote (atom [])))
