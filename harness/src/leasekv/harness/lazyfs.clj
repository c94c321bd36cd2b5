(ns leasekv.harness.lazyfs
  "The harness side of lazyfs (module lazyfs, lazyfs/README.md): one FUSE mount per node directory
  that holds every write the store did not fsync, so that a power-loss fault can drop them.

  A node's WAL directory (<node-dir>/data/wal) and its state-machine directory (<node-dir>/data/fsm)
  are mounted separately, so a fault can hit either or both. Everything goes through the test's
  Remote: the mount runs as a daemon on the node (the jar is uploaded like the store's), and the
  control socket is spoken to with a one-line perl client (perl-base is part of every Debian), so
  the same code works on namespaces and over SSH.

  Layout on a node (node-dir = <base-dir>/<node>):
    data/wal, data/fsm          the mount points (the store's default --wal-dir and --fsm-dir)
    lazyfs/wal.backing, ...     the real directories behind them (the durable state)
    lazyfs/wal.sock, .pid       control socket and the mount daemon's pid
    lazyfs-wal.log              the mount daemon's log (downloaded with the store's)"
  (:require [clojure.java.io :as io]
            [leasekv.harness.build :as build]
            [clojure.string :as str]
            [leasekv.harness.control :as c]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.db :as db]
            [leasekv.harness.log :as log]))

(def dir-kinds
  "The node directories lazyfs can sit under."
  [:wal :fsm])

(def default-jar "lazyfs/target/leasekv-lazyfs.jar")

(defn parse-dirs
  "Takes :wal, :fsm or :both (or their names). Returns the vector of directory kinds it names.
  Throws ex-info naming the bad value."
  [dirs]
  (case (keyword (name dirs))
    :wal [:wal]
    :fsm [:fsm]
    :both [:wal :fsm]
    (throw (ex-info (str "lazyfs directories are wal, fsm or both; got " (pr-str dirs))
                    {:type :bad-option :value dirs}))))

(defn paths
  "Returns the paths lazyfs uses for directory kind (:wal or :fsm) on node."
  [test node kind]
  (let [dir (db/node-dir test node)
        k (name kind)]
    {:mount (str dir "/data/" k)
     :backing (str dir "/lazyfs/" k ".backing")
     :socket (str dir "/lazyfs/" k ".sock")
     :pid (str dir "/lazyfs/" k ".pid")
     :log (str dir "/lazyfs-" k ".log")
     :jar (str dir "/leasekv-lazyfs.jar")}))

(defn enabled-dirs
  "Returns the directory kinds the test puts under lazyfs (empty when none)."
  [test]
  (vec (:lazyfs-dirs test)))

;; ---------------------------------------------------------------------------------------------
;; The jar

(defn local-jar
  "Returns the lazyfs jar to install: env LEASEKV_LAZYFS_JAR, or the repository's, built with
  Maven when missing. Throws ex-info with Maven's last line when the build fails."
  [test]
  (or (System/getenv "LEASEKV_LAZYFS_JAR")
      (build/ensure-jar! (:repo-root test (System/getProperty "user.dir")) "lazyfs" default-jar "missing")))

;; ---------------------------------------------------------------------------------------------
;; Control socket

(def ^:private ctl-script
  ;; One line out, one line back; exit 0 only on an "ok" reply. alarm bounds a hung mount.
  (str "$SIG{ALRM}=sub{print \"error timeout\\n\"; exit 2}; alarm($ARGV[2]);"
       "$s=IO::Socket::UNIX->new(Peer=>$ARGV[0]) or do {print \"error connect: $!\\n\"; exit 2};"
       "print $s \"$ARGV[1]\\n\"; $l=<$s>; $l=\"error no reply\\n\" unless defined $l; print $l;"
       "exit($l =~ /^ok/ ? 0 : 1)"))

(defn ctl-command
  "Returns the shell line that sends one control command to the lazyfs socket and prints the reply."
  [socket command timeout-secs]
  (c/join "perl" "-MIO::Socket::UNIX" "-e" ctl-script socket command (str (long timeout-secs))))

(defn ctl!
  "Sends command (lose-unsynced, sync-all, stats, ping) to the lazyfs of kind on node. Returns
  the `ok ...` reply; throws ex-info with the reply when it is not ok."
  ([test node kind command] (ctl! test node kind command 120))
  ([test node kind command timeout-secs]
   (let [{:keys [socket]} (paths test node kind)
         {:keys [exit out err]} (c/exec-result (:remote test) node (ctl-command socket command timeout-secs)
                                               {:timeout-ms (* 1000 (+ 10 timeout-secs))})]
     (if (zero? exit)
       (str/trim out)
       (throw (ex-info (str "lazyfs " (name kind) " on " node ": " command " failed: " (str/trim (str out err)))
                       {:type :lazyfs-ctl :node node :kind kind :reply out}))))))

(defn parse-reply
  "Takes an `ok key=value ...` reply. Returns a map of keyword -> number (or string)."
  [reply]
  (into {} (for [[_ k v] (re-seq #"([a-z_]+)=(\S+)" (str reply))]
             [(keyword (str/replace k "_" "-")) (or (parse-long v) v)])))

;; ---------------------------------------------------------------------------------------------
;; Mounting

(defn- mounted-test
  "Shell test: is mount a mount point (live or dead)?"
  [mount]
  (str "awk -v m=" (c/escape mount) " '$2==m {f=1} END {exit !f}' /proc/self/mounts"))

(defn mounted?
  "True when kind's mount point on node is a mount (live or dead)."
  [test node kind]
  (zero? (:exit (c/exec-result (:remote test) node (mounted-test (:mount (paths test node kind)))))))

(defn unmount-script
  "Shell script that unmounts kind's lazyfs (fusermount -u: a clean unmount syncs what is pending;
  -uz or umount -l for a dead or busy one), waits up to 10 s for its daemon to exit, then kills
  it. The daemon is only signalled if its command line names this mount (a stale pid file must
  not hit another process). Prints 1 if it was mounted, else 0. One exec, since every exec costs
  a process start on a loaded node."
  [{:keys [mount pid]}]
  (let [m (c/escape mount) mounted (mounted-test mount)]
    (str "was=0; p=$(cat " (c/escape pid) " 2>/dev/null); "
         "if [ -n \"$p\" ] && ! grep -qa -- " m " /proc/$p/cmdline 2>/dev/null; then p=; fi; "
         "if " mounted "; then was=1; fusermount -u " m " 2>/dev/null || fusermount -uz " m " 2>/dev/null || umount -l " m " 2>/dev/null; fi; "
         "if [ -n \"$p\" ]; then for i in $(seq 1 100); do kill -0 \"$p\" 2>/dev/null || break; sleep 0.1; done; "
         "kill -9 \"$p\" 2>/dev/null; fi; "
         "if " mounted "; then fusermount -uz " m " 2>/dev/null || umount -l " m " 2>/dev/null; fi; "
         "rm -f " (c/escape pid) "; echo $was")))

(defn unmount!
  "Unmounts kind's lazyfs on node, if mounted, and makes sure its daemon is gone (see
  unmount-script). Pending unsynced data are synced first (a clean unmount), unless the caller
  dropped them before. Handles a dead mount whose daemon was killed. Returns :unmounted or
  :not-mounted."
  [test node kind]
  (if (= "1" (c/exec! (:remote test) node (unmount-script (paths test node kind)) {:timeout-ms 60000}))
    :unmounted
    :not-mounted))

(defn- await-script
  "Shell script that polls the control socket every 100 ms for up to timeout-secs; exit 0 when it
  answers, 3 when the daemon died, 4 on timeout."
  [{:keys [socket pid]} timeout-secs]
  (str "p=$(cat " (c/escape pid) "); for i in $(seq 1 " (* 10 (long timeout-secs)) "); do "
       (ctl-command socket "ping" 5) " >/dev/null 2>&1 && exit 0; "
       "kill -0 \"$p\" 2>/dev/null || exit 3; sleep 0.1; done; exit 4"))

(defn mount!
  "Mounts kind's lazyfs on node (the jar must be on the node) and waits until its control socket
  answers. An existing mount there is removed first. Returns the daemon's pid. Throws ex-info
  with the end of the daemon's log when it does not come up."
  [test node kind]
  (let [remote (:remote test)
        {:keys [mount backing socket pid log jar] :as ps} (paths test node kind)]
    (c/exec! remote node (str (unmount-script ps) " >/dev/null; " (c/join "mkdir" "-p" mount backing)
                              " && " (c/join "rm" "-f" socket)) {:timeout-ms 60000})
    (let [p (c/start-daemon! remote node {:cmd ["java" "-Xms32m" "-Xmx512m" "-XX:+UseSerialGC" "-jar" jar
                                                "mount" "--backing" backing "--mount" mount
                                                "--control" socket]
                                          :env {"LC_ALL" "C.UTF-8"}
                                          :logfile log :pidfile pid})
          {:keys [exit]} (c/exec-result remote node (await-script ps 60) {:timeout-ms 90000})]
      (when-not (zero? exit)
        (throw (ex-info (str "lazyfs " (name kind) " on " node (if (= 3 exit) " exited before its mount was ready"
                                                                  " was not ready after 60 s")
                             "; end of " log ":\n" (c/tail remote node log 20))
                        {:type :daemon-died :node node})))
      p)))

(defn install!
  "Uploads the lazyfs jar to node unless an identical copy is there. Returns :uploaded or
  :unchanged."
  [test node]
  ((requiring-resolve 'leasekv.harness.db.leasekv/install-jar!)
   test node (local-jar test) (:jar (paths test node :wal))))

(defn setup!
  "Installs the jar and mounts every lazyfs directory the test asks for on node. Returns nil."
  [test node]
  (when-let [kinds (seq (enabled-dirs test))]
    (install! test node)
    (doseq [k kinds] (mount! test node k)))
  nil)

(defn ensure-mounted!
  "Before a node starts: every lazyfs directory of the test must be mounted, answering, neither
  armed for a power loss nor dead after one (a power loss that failed half-way, or a mount daemon
  that died, is repaired here, by dropping what is unsynced and mounting again: a power loss).
  Returns the kinds that had to be mounted again."
  [test node]
  (vec (for [k (enabled-dirs test)
             :let [ps (paths test node k)]
             :when (not (zero? (:exit (c/exec-result (:remote test) node
                                                     (str (mounted-test (:mount ps)) " && "
                                                          (ctl-command (:socket ps) "stats" 5)
                                                          " | grep -q ' armed=0 dead=0 '")))))]
         (do (log/warn! "lazyfs" (name k) "on" node "was not answering, or was left armed or dead by a power loss; mounting it again")
             (c/exec-result (:remote test) node (ctl-command (:socket ps) "lose-unsynced" 10))
             (mount! test node k)
             k))))

(defn teardown!
  "Unmounts every lazyfs directory on node (whether or not this test enabled them: leftovers of
  an earlier run must not block its data from being removed) and removes their state, in one
  exec. Returns nil."
  [test node]
  (let [ps (map #(paths test node %) dir-kinds)
        dir (str (db/node-dir test node) "/lazyfs")]
    (c/exec! (:remote test) node
             (str "if [ -d " (c/escape dir) " ] || grep -q " (c/escape (str (db/node-dir test node) "/data/")) " /proc/self/mounts; then "
                  (str/join " " (for [p ps] (str (unmount-script p) " >/dev/null;")))
                  " fi; " (c/join "rm" "-rf" dir (:log (first ps)) (:log (second ps))))
             {:timeout-ms 120000}))
  nil)

(def loss-modes
  "How much of the unsynced data a power loss drops (lazyfs/README.md, \"Partial power loss\"):
  :all every unsynced change; :keep-prefix a random prefix survives, the next write possibly torn
  at a sector boundary; :tear all but the last write survive, that one torn at a sector boundary."
  #{:all :keep-prefix :tear})

(defn loss-command
  "Returns the control command for a power loss of mode (see loss-modes) with seed."
  [mode seed]
  (if (or (nil? mode) (= :all mode))
    "lose-unsynced"
    (str "lose-unsynced " (name mode) " seed=" seed)))

(defn lose-unsynced!
  "The power loss proper, on a node whose store is already dead: drops the unsynced changes of
  kind's mount (all of them, or what a partial loss of mode with seed drops), then unmounts and
  mounts again (a fresh mount starts with no kernel cache). Returns a map of what was lost."
  ([test node kind] (lose-unsynced! test node kind :all nil))
  ([test node kind mode seed]
   (let [reply (ctl! test node kind (loss-command mode seed))]
     (unmount! test node kind)
     (mount! test node kind)
     (parse-reply reply))))

(defn arm-loss!
  "Arms a power loss of mode (:all, :keep-prefix, :tear) with seed that strikes kind's mount in the
  middle of its next fsync (lazyfs lose-at-next-fsync). Returns the reply."
  [test node kind mode seed]
  (ctl! test node kind (str "lose-at-next-fsync " (name mode) " seed=" seed)))

(def ^:private await-dead-script
  ;; Polls `stats` every 20 ms (one process however long it waits) until the reply says dead=1 or
  ;; about timeout seconds passed (whole seconds: perl-base has no Time::HiRes); prints the last reply.
  (str "my ($sock,$timeout)=@ARGV; my $end=time+$timeout; my $l;"
       "while (1) { my $s=IO::Socket::UNIX->new(Peer=>$sock) or do {print \"error connect: $!\\n\"; exit 2};"
       " print $s \"stats\\n\"; $l=<$s>; close $s;"
       " last if !defined $l || $l =~ / dead=1 / || time > $end; select(undef,undef,undef,0.02) }"
       "$l=\"error no reply\\n\" unless defined $l; print $l; exit($l =~ /^ok/ ? 0 : 1)"))

(defn await-armed-loss!
  "Waits up to about timeout-secs for the loss armed on kind's mount to strike (polls its stats).
  Returns the mount's stats as a map; :dead 1 when it struck."
  [test node kind timeout-secs]
  (let [{:keys [socket]} (paths test node kind)]
    (parse-reply (c/exec! (:remote test) node (c/join "perl" "-MIO::Socket::UNIX" "-e" await-dead-script socket
                                                      (str (long timeout-secs)))
                          {:timeout-ms (* 1000 (+ 30 timeout-secs))}))))

(defn log-files
  "Returns the lazyfs daemons' logs on node, for download."
  [test node]
  (into {} (for [k (enabled-dirs test)] [(:log (paths test node k)) (str "lazyfs-" (name k) ".log")])))

(defn leftover-mounts
  "Returns every mount point under dir on this machine (lazyfs mounts a crashed run left).
  Reads /proc/self/mounts with Files/readAllBytes: slurp's FileInputStream.available() fails with
  EINVAL on that seq_file once part of it was read."
  [dir]
  (let [prefix (str (.getPath (io/file dir)) "/")]
    (->> (str/split-lines (String. (java.nio.file.Files/readAllBytes (java.nio.file.Path/of "/proc/self/mounts" (into-array String [])))))
         (map #(second (str/split % #"\s+")))
         (filter #(and % (str/starts-with? % prefix)))
         vec)))

(defn cleanup-local!
  "Unmounts (lazily if needed) every mount under dir on this machine and kills the lazyfs daemons
  named by the pid files under dir (only if their command line names dir). Used by `lein run cleanup`. Returns the mount points removed."
  [dir]
  (let [mounts (leftover-mounts dir)]
    (doseq [m mounts]
      (shell/run ["sh" "-c" (str (c/join "fusermount" "-u" m) " 2>/dev/null || " (c/join "fusermount" "-uz" m)
                                 " 2>/dev/null || " (c/join "umount" "-l" m))]))
    (doseq [^java.io.File f (file-seq (io/file dir))
            :when (and (.isFile f) (str/ends-with? (.getName f) ".pid")
                       (= "lazyfs" (some-> f .getParentFile .getName)))
            :let [pid (parse-long (str/trim (slurp f)))]
            :when (and pid (str/includes? (str (try (slurp (str "/proc/" pid "/cmdline")) (catch Exception _ "")))
                                          (.getPath (io/file dir))))]
      (shell/run ["kill" "-9" (str pid)]))
    mounts))
