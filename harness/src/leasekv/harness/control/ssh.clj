(ns leasekv.harness.control.ssh
  "The `ssh` remote: real machines (or anything running sshd) reached with JSch. One session per
  node, reconnected when it drops; commands run through `sudo -n` unless the user is root; files
  travel over SFTP (through /tmp and sudo when not root). Daemons start exactly as on the local
  remote (see leasekv.harness.control/daemon-command)."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [leasekv.harness.control :as c]
            [leasekv.harness.log :as log]
            [leasekv.harness.util :as util])
  (:import (com.jcraft.jsch ChannelExec ChannelSftp JSch Session)
           (java.io ByteArrayOutputStream)
           (java.net InetAddress)
           (java.util UUID)))

(def connect-timeout-ms 10000)

(defn- new-session ^Session [{:keys [username private-key port strict-host-key-checking known-hosts]} host]
  (let [jsch (JSch.)]
    (when private-key
      (when-not (.exists (io/file private-key))
        (throw (ex-info (str "--ssh-private-key " private-key " does not exist") {:type :bad-option})))
      (.addIdentity jsch (str private-key)))
    (when strict-host-key-checking
      (.setKnownHosts jsch (str (or known-hosts (str (System/getProperty "user.home") "/.ssh/known_hosts")))))
    (doto (.getSession jsch (str username) (str host) (int (or port 22)))
      (.setConfig "StrictHostKeyChecking" (if strict-host-key-checking "yes" "no"))
      (.setServerAliveInterval (int 5000))
      (.connect (int connect-timeout-ms)))))

(defn- auth-failure? [e]
  (and (instance? com.jcraft.jsch.JSchException e) (some-> (ex-message e) (str/includes? "Auth fail"))))

(defn- connect!
  "Opens a session, retrying for 30 s while the host is unreachable or still booting. A refused
  login (wrong user or key) is not going to change, so it fails at once, naming user and host."
  [opts host]
  (let [refused (atom nil)
        s (util/await-fn #(try (new-session opts host)
                               (catch Exception e
                                 (if (auth-failure? e) (do (reset! refused e) ::refused) (throw e))))
                         {:timeout-ms 30000 :interval-ms 1000 :what (str "an SSH session to " host)})]
    (when (= ::refused s)
      (throw (ex-info (str "SSH login refused for user " (:username opts) " on " host
                           " (" (ex-message @refused) "): check --username and --ssh-private-key")
                      {:type :bad-option} @refused)))
    s))

(defn- root? [opts] (= "root" (:username opts)))

(defn wrap-command
  "Returns the command line sent over SSH: cmd under sh, through sudo -n for a non-root user."
  [opts cmd]
  (str (when-not (root? opts) "sudo -n ") "sh -c " (c/escape cmd)))

(defn- session! ^Session [{:keys [opts sessions lock]} node]
  (locking lock
    (let [^Session s (get @sessions node)]
      (if (and s (.isConnected s))
        s
        (let [host (get-in opts [:hosts node] node)
              s (connect! opts host)]
          (when (get @sessions node) (log/warn! "Reconnected to" node))
          (swap! sessions assoc node s)
          s)))))

(defn- run-exec [^Session session command stdin timeout-ms]
  (let [^ChannelExec ch (.openChannel session "exec")
        out (ByteArrayOutputStream.)
        err (ByteArrayOutputStream.)]
    (.setCommand ch ^String command)
    (.setOutputStream ch out)
    (.setErrStream ch err)
    (.setInputStream ch (when stdin (io/input-stream (.getBytes ^String stdin "UTF-8"))))
    (.connect ch (int connect-timeout-ms))
    (let [deadline (+ (System/currentTimeMillis) timeout-ms)]
      (try
        (loop []
          (cond (.isClosed ch) {:exit (.getExitStatus ch) :out (.toString out "UTF-8") :err (.toString err "UTF-8")}
                (> (System/currentTimeMillis) deadline)
                (throw (ex-info (str "Timed out after " timeout-ms " ms: " command) {:type :timeout}))
                :else (do (Thread/sleep 10) (recur))))
        (finally (.disconnect ch))))))

(defn- with-sftp [remote node f]
  (let [^ChannelSftp ch (.openChannel (session! remote node) "sftp")]
    (.connect ch (int connect-timeout-ms))
    (try (f ch) (finally (.disconnect ch)))))

(defn- resolve-address [host]
  (.getHostAddress (InetAddress/getByName (str host))))

(defrecord SshRemote [opts sessions lock]
  c/Remote
  (setup-cluster! [this nodes]
    (util/real-pmap #(session! this %) nodes)
    (log/info! "SSH sessions open to" (str/join ", " (map #(str % "=" (get-in opts [:hosts %] %)) nodes)))
    nil)
  (teardown-cluster! [_]
    (locking lock
      (doseq [^Session s (vals @sessions)] (.disconnect s))
      (reset! sessions {}))
    nil)
  (address [_ node] (resolve-address (get-in opts [:hosts node] node)))
  (exec* [this node cmd {:keys [timeout-ms stdin] :or {timeout-ms 60000}}]
    (let [command (wrap-command opts cmd)]
      (try (run-exec (session! this node) command stdin timeout-ms)
           (catch com.jcraft.jsch.JSchException e
             ;; The session may have dropped (a reboot, a network blip): reconnect once and retry.
             (log/warn! "SSH to" node "failed (" (.getMessage e) "); reconnecting")
             (locking lock (swap! sessions dissoc node))
             (run-exec (session! this node) command stdin timeout-ms)))))
  (upload! [this node local-path remote-path]
    (let [parent (.getParent (io/file remote-path))]
      (c/exec! this node (c/join "mkdir" "-p" parent))
      (if (root? opts)
        (with-sftp this node #(.put ^ChannelSftp % (str local-path) (str remote-path)))
        (let [tmp (str "/tmp/leasekv-upload-" (UUID/randomUUID))]
          (with-sftp this node #(.put ^ChannelSftp % (str local-path) tmp))
          (c/exec! this node (c/join "mv" "-f" tmp remote-path))))
      nil))
  (download! [this node remote-path local-path]
    (io/make-parents local-path)
    (if (root? opts)
      (with-sftp this node #(.get ^ChannelSftp % (str remote-path) (str local-path)))
      (let [tmp (str "/tmp/leasekv-download-" (UUID/randomUUID))]
        (c/exec! this node (str (c/join "cp" remote-path tmp) " && " (c/join "chmod" "a+r" tmp)))
        (try (with-sftp this node #(.get ^ChannelSftp % tmp (str local-path)))
             (finally (c/exec-result this node (c/join "rm" "-f" tmp))))))
    nil)
  (start-daemon! [this node opts] (c/start-daemon-via-exec! this node opts)))

(defn remote
  "Takes {:hosts {node host}, :username, :private-key path, :port, :strict-host-key-checking}.
  Returns an ssh remote; nothing connects until setup-cluster! (or the first command)."
  [opts]
  (->SshRemote (merge {:username "root" :port 22} opts) (atom {}) (Object.)))
