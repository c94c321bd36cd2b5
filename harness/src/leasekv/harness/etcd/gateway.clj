(ns leasekv.harness.etcd.gateway
  "A small client for etcd 3.4's HTTP/JSON gRPC gateway (POST /v3/kv/range, /v3/kv/put,
  /v3/kv/txn, /v3/maintenance/status), over java.net.http. Keys and values travel base64-encoded.
  Every call takes a conn from `conn` and throws on failure: java.net.ConnectException when the
  node cannot be reached (the request was never sent), java.net.http.HttpTimeoutException on
  timeout, ex-info {:type :etcd-error} when etcd answers with an error."
  (:require [clojure.data.json :as json])
  (:import (java.net URI)
           (java.net.http HttpClient HttpClient$Version HttpRequest HttpRequest$BodyPublishers
                          HttpResponse$BodyHandlers)
           (java.nio.charset StandardCharsets)
           (java.time Duration)
           (java.util Base64)))

(def client-port 2379)
(def peer-port 2380)

(defn conn
  "Takes a host (IP) and a request timeout in ms. Returns a connection map for the other calls."
  [host timeout-ms]
  {:base (str "http://" host ":" client-port)
   :timeout-ms timeout-ms
   :http (-> (HttpClient/newBuilder)
             (.version HttpClient$Version/HTTP_1_1)
             (.connectTimeout (Duration/ofMillis timeout-ms))
             (.build))})

(defn b64 ^String [^String s]
  (.encodeToString (Base64/getEncoder) (.getBytes s StandardCharsets/UTF_8)))

(defn unb64 ^String [^String s]
  (when s (String. (.decode (Base64/getDecoder) s) StandardCharsets/UTF_8)))

(defn post!
  "Takes a conn, a path such as \"/v3/kv/range\" and a request body (a map). Returns the parsed
  JSON reply (keyword keys). Throws as described in the namespace doc."
  [{:keys [base timeout-ms ^HttpClient http]} path body]
  (let [req (-> (HttpRequest/newBuilder (URI/create (str base path)))
                (.timeout (Duration/ofMillis timeout-ms))
                (.header "Content-Type" "application/json")
                (.POST (HttpRequest$BodyPublishers/ofString (json/write-str body)))
                (.build))
        resp (.send http req (HttpResponse$BodyHandlers/ofString))
        reply (try (json/read-str (.body resp) :key-fn keyword) (catch Exception _ nil))]
    (if (and (= 200 (.statusCode resp)) (map? reply) (not (:error reply)))
      reply
      (throw (ex-info (str "etcd " path " answered " (.statusCode resp) ": "
                           (or (:error reply) (:message reply) (.body resp)))
                      {:type :etcd-error :status (.statusCode resp)
                       :message (or (:error reply) (:message reply)) :code (:code reply)})))))

(defn get-key
  "Reads key. serializable? true lets the member answer from its own state without consulting
  the leader (etcd's serializable read); false is etcd's default linearizable read.
  Returns {:value string-or-nil, :revision n (the store revision the member answered at)}."
  [conn key serializable?]
  (let [reply (post! conn "/v3/kv/range" (cond-> {:key (b64 key)} serializable? (assoc :serializable true)))]
    {:value (unb64 (:value (first (:kvs reply))))
     :revision (some-> reply :header :revision parse-long)}))

(defn put-key!
  "Writes value under key. Returns the revision of the write."
  [conn key value]
  (some-> (post! conn "/v3/kv/put" {:key (b64 key) :value (b64 value)}) :header :revision parse-long))

(defn cas-key!
  "Replaces key's value with new-value if it equals expected, in one transaction.
  Returns true if it was replaced, false if the value differed (or the key was absent)."
  [conn key expected new-value]
  (let [reply (post! conn "/v3/kv/txn"
                     {:compare [{:key (b64 key) :result "EQUAL" :target "VALUE" :value (b64 expected)}]
                      :success [{:request_put {:key (b64 key) :value (b64 new-value)}}]})]
    (boolean (:succeeded reply))))

(defn prefix-end
  "Returns the smallest key greater than every key that starts with prefix (etcd's range_end)."
  [^String prefix]
  (let [cs (.toCharArray prefix) i (dec (alength cs))]
    (aset cs i (char (inc (int (aget cs i)))))
    (String. cs)))

(defn get-prefix
  "Reads every key starting with prefix (linearizable unless serializable?). Returns the values."
  [conn prefix serializable?]
  (let [reply (post! conn "/v3/kv/range"
                     (cond-> {:key (b64 prefix) :range_end (b64 (prefix-end prefix))}
                       serializable? (assoc :serializable true)))]
    (mapv #(unb64 (:value %)) (:kvs reply))))

(defn status
  "Returns {:member-id string, :leader-id string, :raft-term n} as this member sees them."
  [conn]
  (let [reply (post! conn "/v3/maintenance/status" {})]
    {:member-id (-> reply :header :member_id)
     :leader-id (:leader reply)
     :raft-term (some-> (:raftTerm reply) parse-long)}))

(defn move-leader!
  "Asks the member behind conn (which must be the leader) to hand leadership to the member with
  id target-member-id (a string, as status returns it). Returns nil."
  [conn target-member-id]
  (post! conn "/v3/maintenance/transfer-leadership" {:targetID target-member-id})
  nil)
