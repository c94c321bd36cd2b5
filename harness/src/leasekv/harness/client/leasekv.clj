(ns leasekv.harness.client.leasekv
  "The leasekv client for the register and set workloads, through the store's Java client
  (leasekv.client.LeaseKvClient). Each client lists its process's node first and the others after
  it, and follows redirects to the leader; writes carry REQ de-duplication, so the Java client's
  retries apply a write at most once.

  Outcomes: DefiniteFailureException -> :fail (it did not happen); IndeterminateException and
  timeouts -> :info (it may have happened). Reads record how they were served: :served-by,
  :term, :read-mode and :applied-index from the store's READ command. A write the Java client sent
  again after an attempt that may have been applied records how often in :resends: each such
  write relied on the store's de-duplication to be applied once."
  (:require [leasekv.harness.client :as client]
            [leasekv.harness.control :as c])
  (:import (leasekv.client DefiniteFailureException IndeterminateException LeaseKvClient
                           LeaseKvException ReadResult)))

(def client-port 6379)
(def set-key "set")

(defn- register-key [k] (str "r/" k))

(defn node-addresses
  "Returns the client addresses (host:port) of the test's nodes, node first."
  [test node]
  (let [others (remove #{node} (:nodes test))]
    (mapv #(str (c/address (:remote test) %) ":" client-port) (cons node others))))

(defn open-client
  "Returns a LeaseKvClient for node with the test's request timeout: following redirects to the
  leader, or, with pinned? true, talking to node only (NOTLEADER is then a definite failure)."
  (^LeaseKvClient [test node] (open-client test node false))
  (^LeaseKvClient [test node pinned?]
   (-> (LeaseKvClient/builder)
       (.nodes (if pinned? [(first (node-addresses test node))] (node-addresses test node)))
       (.pinned (boolean pinned?))
       (.requestTimeoutMillis (int (:request-timeout-ms test 1000)))
       (.build))))

(def routings
  "How a client picks the node for an op:
    every-node-reads  (the default) every read is asked first at the process's own node, and only
                  when that node answers NOTLEADER at the leader it names; writes follow
                  redirects. Reads go through every node, so a node that wrongly believes it leads
                  is asked all the time, and reads still succeed;
    follow        every op follows redirects to the leader (and stays with it);
    pinned        every op goes to the process's own node only (Jepsen's classic client);
    pinned-reads  reads go to the own node only (NOTLEADER is a failed read), writes follow
                  redirects."
  #{"every-node-reads" "follow" "pinned" "pinned-reads"})

(def default-routing "every-node-reads")

(defn- read-register [^LeaseKvClient conn k]
  (let [^ReadResult r (.read conn (register-key k))]
    {:type :ok
     :value [k (some-> (.value r) parse-long)]
     :served-by (.servedBy r)
     :term (.term r)
     :read-mode (keyword (.readMode r))
     :applied-index (.appliedIndex r)}))

(defn- not-leader? [^LeaseKvException e]
  (= "NOTLEADER" (.errorWord e)))

(defn- read-at-own-node-first
  "Runs read-fn with read-conn (the own node, pinned); when that node is not the leader and read-conn
  is not conn, runs it again with conn (which follows the redirect). Returns its result."
  [^LeaseKvClient conn ^LeaseKvClient read-conn read-fn]
  (if (identical? conn read-conn)
    (read-fn read-conn)
    (try (read-fn read-conn)
         (catch DefiniteFailureException e
           (if (not-leader? e) (read-fn conn) (throw e))))))

(defn- apply-op [^LeaseKvClient conn ^LeaseKvClient read-conn test {:keys [f value]}]
  (case [(:workload test) f]
    [:register :read] (if (= "every-node-reads" (:leasekv-routing test))
                        (read-at-own-node-first conn read-conn #(read-register % (first value)))
                        (read-register read-conn (first value)))
    [:register :write] (let [[k v] value] (.set conn (register-key k) (str v)) {:type :ok})
    [:register :cas] (let [[k [old new]] value]
                       {:type (if (.cas conn (register-key k) (str old) (str new)) :ok :fail)})
    [:set :add] (do (.rpush conn set-key (into-array String [(str value)])) {:type :ok})
    ;; The list as read, in order: a write applied twice shows as a repeated element.
    [:set :read] {:type :ok :value (mapv parse-long (if (= "every-node-reads" (:leasekv-routing test))
                                                      (read-at-own-node-first conn read-conn #(.lrange ^LeaseKvClient % set-key 0 -1))
                                                      (.lrange read-conn set-key 0 -1)))}
    (throw (ex-info (str "The leasekv client has no operation " f " for workload " (:workload test))
                    {:type :unknown-op :f f}))))

(defn outcome-of
  "Returns the op type a LeaseKvException means: :fail when definite, else :info."
  [^LeaseKvException e]
  (if (.isDefinite e) :fail :info))

(defrecord LeaseKvHarnessClient [node ^LeaseKvClient conn ^LeaseKvClient read-conn]
  client/Client
  (open! [_ test node]
    (case (:leasekv-routing test default-routing)
      "every-node-reads" (->LeaseKvHarnessClient node (open-client test node false) (open-client test node true))
      "follow" (let [c (open-client test node false)] (->LeaseKvHarnessClient node c c))
      "pinned" (let [c (open-client test node true)] (->LeaseKvHarnessClient node c c))
      "pinned-reads" (->LeaseKvHarnessClient node (open-client test node false) (open-client test node true))))
  (setup! [_ _] nil)
  (invoke! [_ test op]
    (let [op (assoc op :node node)
          done (try (merge op (apply-op conn read-conn test op))
                    (catch DefiniteFailureException e (assoc op :type :fail :error (.getMessage e)))
                    (catch IndeterminateException e
                      ;; A read changes nothing, so even an indeterminate read definitely had no effect.
                      (assoc op :type (if (= :read (:f op)) :fail :info) :error (.getMessage e)))
                    (catch LeaseKvException e (assoc op :type (outcome-of e) :error (.getMessage e))))
          resends (if (= :read (:f op)) 0 (.resendsOfLastOperation conn))]
      (cond-> done (pos? resends) (assoc :resends resends))))
  (teardown! [_ _] nil)
  (close! [_ _]
    (when conn (.close conn))
    (when (and read-conn (not (identical? conn read-conn))) (.close read-conn))
    nil))

(defn client
  "Returns an unopened leasekv client."
  []
  (->LeaseKvHarnessClient nil nil nil))
