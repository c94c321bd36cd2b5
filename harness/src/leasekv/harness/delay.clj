(ns leasekv.harness.delay
  "User-space packet delay (this kernel has no tc netem): a TCP proxy (module delayproxy) in front
  of every node's Raft peer port.

  With delay on, node j's store listens for peers on 127.0.0.1:7001 and the proxy takes its public
  peer port 7000, forwarding to it. Every node keeps the same --peers (id=host:7000:6379), so
  clients and redirects are untouched. A leasekv node sends each Raft message on its own connection
  to the receiver (replies travel on the receiver's own connection back), so the proxy at node j
  holds exactly the messages other nodes send to j, and it can hold each sender's by a different
  amount: `set-delays!` writes the proxy's rules file (source address [lane] -> ms), which it
  re-reads every 20 ms. The proxy reads each connection's lane from the store's handshake, so a
  delay can hold appends (the replication lane) while heartbeats and votes (control) pass. iptables partitions still apply (they drop the packets before they reach the proxy);
  bytes the proxy already holds are still delivered, as a slow network would.

  Layout on a node: <node-dir>/leasekv-delayproxy.jar, <node-dir>/delayproxy/{rules,pid},
  <node-dir>/delayproxy.log."
  (:require [clojure.java.io :as io]
            [leasekv.harness.build :as build]
            [clojure.string :as str]
            [leasekv.harness.control :as c]
            [leasekv.harness.db :as db]
            [leasekv.harness.log :as log]))

(def public-peer-port 7000)
(def store-peer-port 7001)
(def default-jar "delayproxy/target/leasekv-delayproxy.jar")

(defn enabled? [test] (boolean (:delay-proxy? test)))

(defn store-peer-addr
  "Returns the --peer-addr the store listens on: behind the proxy when delay is on."
  [test]
  (if (enabled? test)
    (str "127.0.0.1:" store-peer-port)
    (str "0.0.0.0:" public-peer-port)))

(defn paths [test node]
  (let [dir (db/node-dir test node)]
    {:dir (str dir "/delayproxy")
     :rules (str dir "/delayproxy/rules")
     :pid (str dir "/delayproxy/pid")
     :log (str dir "/delayproxy.log")
     :jar (str dir "/leasekv-delayproxy.jar")}))

(defn local-jar
  "Returns the delayproxy jar to install (env LEASEKV_DELAYPROXY_JAR, or the repository's, built
  with Maven when missing)."
  [test]
  (or (System/getenv "LEASEKV_DELAYPROXY_JAR")
      (build/ensure-jar! (:repo-root test (System/getProperty "user.dir")) "delayproxy" default-jar "missing")))

(defn rules-text
  "Takes a map of source -> delay in ms, where a source is an address, or [address lane] to delay
  only that leasekv peer lane (:control, :replication or :snapshot) of it. Returns the rules
  file's text."
  [delays]
  (apply str "# source [lane] delay-ms (written by the harness)\n"
         (for [[source ms] (sort-by (comp pr-str key) delays)
               :let [[addr lane] (if (vector? source) source [source nil])]]
           (str addr (when lane (str " " (name lane))) " " (long ms) "\n"))))

(defn- write-rules! [test node delays]
  (let [{:keys [rules]} (paths test node)
        tmp (str rules ".tmp")]
    (c/exec! (:remote test) node (str "printf %s " (c/escape (rules-text delays)) " > " (c/escape tmp)
                                      " && mv -f " (c/escape tmp) " " (c/escape rules)))))

(defn running? [test node]
  (boolean (c/daemon-pid (:remote test) node (:pid (paths test node)))))

(defn start!
  "Starts node's proxy (no delay) and waits until it listens. Returns its pid."
  [test node]
  (let [remote (:remote test)
        {:keys [dir pid log jar rules]} (paths test node)]
    (c/exec! remote node (c/join "mkdir" "-p" dir))
    (write-rules! test node {})
    (let [p (c/start-daemon! remote node {:cmd ["java" "-Xms16m" "-Xmx128m" "-XX:+UseSerialGC" "-jar" jar
                                                "--listen" (str "0.0.0.0:" public-peer-port)
                                                "--target" (str "127.0.0.1:" store-peer-port)
                                                "--rules" rules]
                                          :logfile log :pidfile pid})]
      (c/await-daemon! remote node {:pidfile pid :logfile log :what "delayproxy" :timeout-ms 60000}
                       #(str/includes? (c/tail remote node log 50) "listening on"))
      p)))

(defn setup!
  "Installs and starts node's proxy when the test uses delay. Returns nil."
  [test node]
  (when (enabled? test)
    ((requiring-resolve 'leasekv.harness.db.leasekv/install-jar!) test node (local-jar test) (:jar (paths test node)))
    (start! test node))
  nil)

(defn ensure-running!
  "Before a node starts: its proxy must be running (restarted with no delay if it died)."
  [test node]
  (when (and (enabled? test) (not (running? test node)))
    (log/warn! "delayproxy on" node "was not running; starting it")
    (start! test node))
  nil)

(defn set-delays!
  "Takes a map of receiving node -> {sending node -> ms}, and optionally a lane (:control,
  :replication, :snapshot). Makes each receiving node's proxy hold the messages from each sender
  that long, on that lane only when one is given (senders not named: no delay). Returns nil."
  ([test delays-by-receiver] (set-delays! test delays-by-receiver nil))
  ([test delays-by-receiver lane]
   (let [remote (:remote test)]
     (doseq [[node by-sender] delays-by-receiver]
       (write-rules! test node (into {} (for [[sender ms] by-sender
                                              :let [addr (c/address remote sender)]]
                                          [(if lane [addr lane] addr) ms])))))
   nil))

(defn clear!
  "Removes every delay on every node of the test. Returns nil."
  [test]
  (when (enabled? test)
    (doseq [node (:nodes test)]
      (try (write-rules! test node {})
           (catch Exception e (log/warn! "Could not clear the delay on" node ":" (.getMessage e))))))
  nil)

(defn teardown!
  "Stops node's proxy (if any, enabled or not) and removes its state. Returns nil."
  [test node]
  (let [{:keys [dir pid log]} (paths test node)]
    ;; One exec; the pid is only killed if it is a delayproxy (a stale pid file must not hit
    ;; another process).
    (c/exec! (:remote test) node
             (str "p=$(cat " (c/escape pid) " 2>/dev/null); "
                  "if [ -n \"$p\" ] && grep -qa leasekv-delayproxy /proc/$p/cmdline 2>/dev/null; then kill -9 \"$p\"; fi; "
                  (c/join "rm" "-rf" dir log))))
  nil)

(defn log-files [test node]
  (if (enabled? test) {(:log (paths test node)) "delayproxy.log"} {}))
