(ns leasekv.harness.client.leasekv
  "The leasekv client for the register and set workloads, through the store's Java client
  (leasekv.client.LeaseKvClient). Each client lists its process's node first and the others after
  it, and follows redirects to the leader; writes carry REQ de-duplication, so the Java client's
  retries apply a write at most once.

  Outcomes: DefiniteFailureException -> :fail (it did not happen); IndeterminateException and
  timeouts -> :info (it may have happened). Reads record how they were served: :served-by,
  :term, :read-mode and :applied-index from the store's READ command."
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
  "Returns a LeaseKvClient for node (redirects allowed), with the test's request timeout."
  ^LeaseKvClient [test node]
  (-> (LeaseKvClient/builder)
      (.nodes (node-addresses test node))
      (.pinned false)
      (.requestTimeoutMillis (int (:request-timeout-ms test 1000)))
      (.build)))

(defn- read-register [^LeaseKvClient conn k]
  (let [^ReadResult r (.read conn (register-key k))]
    {:type :ok
     :value [k (some-> (.value r) parse-long)]
     :served-by (.servedBy r)
     :term (.term r)
     :read-mode (keyword (.readMode r))
     :applied-index (.appliedIndex r)}))

(defn- apply-op [^LeaseKvClient conn test {:keys [f value]}]
  (case [(:workload test) f]
    [:register :read] (read-register conn (first value))
    [:register :write] (let [[k v] value] (.set conn (register-key k) (str v)) {:type :ok})
    [:register :cas] (let [[k [old new]] value]
                       {:type (if (.cas conn (register-key k) (str old) (str new)) :ok :fail)})
    [:set :add] (do (.rpush conn set-key (into-array String [(str value)])) {:type :ok})
    [:set :read] {:type :ok :value (into (sorted-set) (map parse-long) (.lrange conn set-key 0 -1))}
    (throw (ex-info (str "The leasekv client has no operation " f " for workload " (:workload test))
                    {:type :unknown-op :f f}))))

(defn outcome-of
  "Returns the op type a LeaseKvException means: :fail when definite, else :info."
  [^LeaseKvException e]
  (if (.isDefinite e) :fail :info))

(defrecord LeaseKvHarnessClient [node ^LeaseKvClient conn]
  client/Client
  (open! [_ test node] (->LeaseKvHarnessClient node (open-client test node)))
  (setup! [_ _] nil)
  (invoke! [_ test op]
    (let [op (assoc op :node node)]
      (try (merge op (apply-op conn test op))
           (catch DefiniteFailureException e (assoc op :type :fail :error (.getMessage e)))
           (catch IndeterminateException e
             ;; A read changes nothing, so even an indeterminate read definitely had no effect.
             (assoc op :type (if (= :read (:f op)) :fail :info) :error (.getMessage e)))
           (catch LeaseKvException e (assoc op :type (outcome-of e) :error (.getMessage e))))))
  (teardown! [_ _] nil)
  (close! [_ _] (when conn (.close conn)) nil))

(defn client
  "Returns an unopened leasekv client."
  []
  (->LeaseKvHarnessClient nil nil))
