(ns leasekv.harness.nemesis.admin
  "ADMIN commands to one leasekv node at a time (no redirects), for the faults that use the store's
  hooks: clock, membership. Replies are plain Clojure data: +OK -> \"OK\", arrays -> vectors."
  (:require [leasekv.harness.client.leasekv :as lkv-client])
  (:import (leasekv.client LeaseKvClient LeaseKvException)))

(defn- ->data [x]
  (cond (instance? java.util.List x) (mapv ->data x)
        (instance? byte/1 x) (String. ^bytes x "UTF-8")
        :else x))

(def admin-timeout-ms
  "ADMIN commands wait for commits (ADD-VOTER, REMOVE-VOTER) or elections (TRANSFER); a workload's
  short client timeout would cut them off."
  3000)

(defn admin-test
  "The test with a request timeout long enough for ADMIN commands."
  [test]
  (update test :request-timeout-ms #(max admin-timeout-ms (long (or % 0)))))

(defn command!
  "Sends `ADMIN word args...` to node only. Returns the reply as data; throws the client's
  LeaseKvException (with the server's error word) when the node answers with an error or not at all."
  [test node & words]
  (with-open [^LeaseKvClient conn (lkv-client/open-client (admin-test test) node true)]
    (->data (.command conn ^"[Ljava.lang.String;" (into-array String (map str (cons "ADMIN" words)))))))

(defn try-command
  "Like command!, but returns {:ok reply} or {:error message} instead of throwing."
  [test node & words]
  (try {:ok (apply command! test node words)}
       (catch LeaseKvException e {:error (.getMessage e)})
       (catch Exception e {:error (str (.getName (class e)) ": " (.getMessage e))})))
