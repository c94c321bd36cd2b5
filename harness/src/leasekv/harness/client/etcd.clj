(ns leasekv.harness.client.etcd
  "The etcd client for the register and set workloads, over the HTTP/JSON gateway. Each client
  talks to one member only (its process's node), as Jepsen's clients do, so a member isolated by
  a partition keeps being asked.

  Reads are linearizable (etcd's default) unless the test has :etcd-serializable true; reads
  change nothing, so a failed read is :fail. A write or cas that never reached the member
  (connection refused) is :fail; any other error or a timeout is :info."
  (:require [leasekv.harness.client :as client]
            [leasekv.harness.control :as c]
            [leasekv.harness.etcd.gateway :as gw])
  (:import (java.net ConnectException)
           (java.net.http HttpConnectTimeoutException HttpTimeoutException)))

(def set-prefix "set/")

(defn- register-key [k] (str "r/" k))

(defn- parse-value [s] (when s (parse-long s)))

(defn- error-of
  "Describes a failure in a few words, for the history's :error field."
  [^Exception e]
  (cond
    (instance? HttpConnectTimeoutException e) :connect-timeout
    (instance? HttpTimeoutException e) :timeout
    (instance? ConnectException e) :connection-refused
    (= :etcd-error (:type (ex-data e))) [:etcd (:message (ex-data e))]
    :else [:exception (.getName (class e)) (.getMessage e)]))

(defn- never-sent? [e]
  (or (instance? ConnectException e) (instance? HttpConnectTimeoutException e)))

(defn- apply-op [conn test {:keys [f value]}]
  (let [serializable? (boolean (:etcd-serializable test))]
    (case [(:workload test) f]
      [:register :read]
      (let [[k _] value
            {v :value rev :revision} (gw/get-key conn (register-key k) serializable?)]
        {:type :ok :value [k (parse-value v)] :revision rev :read-mode (if serializable? :serializable :linearizable)})
      [:register :write]
      (let [[k v] value] (gw/put-key! conn (register-key k) (str v)) {:type :ok})
      [:register :cas]
      (let [[k [old new]] value]
        {:type (if (gw/cas-key! conn (register-key k) (str old) (str new)) :ok :fail)})
      [:set :add]
      (do (gw/put-key! conn (str set-prefix value) (str value)) {:type :ok})
      [:set :read]
      {:type :ok :value (into (sorted-set) (map parse-long) (gw/get-prefix conn set-prefix serializable?))}
      (throw (ex-info (str "The etcd client has no operation " f " for workload " (:workload test))
                      {:type :unknown-op :f f})))))

(defrecord EtcdClient [node conn]
  client/Client
  (open! [_ test node]
    (->EtcdClient node (gw/conn (c/address (:remote test) node) (:request-timeout-ms test 2000))))
  (setup! [_ _] nil)
  (invoke! [_ test op]
    (let [op (assoc op :node node)]
      (try
        (merge op (apply-op conn test op))
        (catch Exception e
          (let [read? (= :read (:f op))]
            (assoc op :type (if (or read? (never-sent? e)) :fail :info) :error (error-of e)))))))
  (teardown! [_ _] nil)
  (close! [_ _] nil))

(defn client
  "Returns an unopened etcd client."
  []
  (->EtcdClient nil nil))
