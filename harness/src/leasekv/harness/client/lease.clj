(ns leasekv.harness.client.lease
  "The leasekv client of the lease and crash workloads. It talks to one node per request and does
  its own routing, so that every op records exactly which node did it:

  - reads go to the op's :via node (the node that acknowledged this thread's last write, for a
    read-back through the old leader) or else to the client's own node; never redirected, so a
    node that wrongly believes it leads is asked and answers. The completion carries how the read
    was served (:served-by, :term, :read-mode, :applied-index, from READ).
  - writes (SET, RPUSH through REQ, at most once) start at the leader the client last saw and
    follow NOTLEADER redirects (a definite failure: not applied) within one request timeout; the
    completion names the node that acknowledged it in :acked-by.

  Every connection is pinned to one node with a single attempt per request (operation timeout =
  request timeout), so a stuck node costs one timeout. Reads never end :info (they change nothing);
  a write that may have applied ends :info."
  (:require [leasekv.harness.client :as client]
            [leasekv.harness.client.leasekv :as lkv-client]
            [leasekv.harness.control :as c])
  (:import (leasekv.client DefiniteFailureException IndeterminateException LeaseKvClient LeaseKvException
                           ReadResult)))

(defn- timeout-ms
  "Writes wait :request-timeout-ms; reads :read-timeout-ms (default the same). A long read timeout
  keeps reads queued at a paused node alive until it resumes; a short write timeout lets writers
  leave a stuck leader and find the new one."
  [test kind]
  (long (if (= kind :read)
          (:read-timeout-ms test (:request-timeout-ms test 1000))
          (:request-timeout-ms test 1000))))

(defn- pinned-client ^LeaseKvClient [test kind node]
  (let [timeout (int (timeout-ms test kind))]
    (-> (LeaseKvClient/builder)
        (.nodes [(str (c/address (:remote test) node) ":" lkv-client/client-port)])
        (.pinned true)
        (.requestTimeoutMillis timeout)
        (.operationTimeoutMillis timeout)
        (.connectTimeoutMillis (int (min 300 timeout)))
        (.build))))

(defn redirect-target
  "Takes a LeaseKvException message. Returns the leader id a NOTLEADER reply named, :unknown for
  `NOTLEADER unknown`, or nil when the failure was not a redirect."
  [message]
  (when-let [[_ id] (re-find #"NOTLEADER (\S+)" (str message))]
    (if (= "unknown" id) :unknown id)))

(defn- conn ^LeaseKvClient [{:keys [conns]} test kind node]
  (let [k [kind node]]
    (or (get @conns k)
        (get (swap! conns (fn [m] (if (get m k) m (assoc m k (pinned-client test kind node))))) k))))

(defn- drop-conn! [{:keys [conns]} kind node]
  (when-let [^LeaseKvClient c (get @conns [kind node])]
    (swap! conns dissoc [kind node])
    (try (.close c) (catch Exception _ nil))))

(defn- next-node [test node]
  (let [nodes (vec (:nodes test))]
    (nodes (mod (inc (.indexOf ^java.util.List nodes node)) (count nodes)))))

(defn write!
  "Runs write-fn (a fn of a LeaseKvClient) at the leader, following redirects until it succeeds,
  fails definitely for another reason, or the request timeout passes. Returns a completion map."
  [this test write-fn]
  (let [deadline (+ (System/nanoTime) (* 1000000 (long (:request-timeout-ms test 1000))))]
    (loop [target (or @(:leader this) (:node this)) hops 0]
      (let [outcome (try {:ok (write-fn (conn this test :write target))}
                         (catch IndeterminateException e {:info (.getMessage e)})
                         (catch DefiniteFailureException e {:fail (.getMessage e)})
                         (catch LeaseKvException e {(if (.isDefinite e) :fail :info) (.getMessage e)}))]
        (cond
          (contains? outcome :ok) (do (reset! (:leader this) target)
                                      {:type :ok :acked-by target :result (:ok outcome)})
          (:info outcome) (do (drop-conn! this :write target)
                              (reset! (:leader this) nil)
                              {:type :info :error (:info outcome) :tried target})
          :else
          (let [msg (:fail outcome)
                redirect (redirect-target msg)
                retry? (and (< hops 8) (< (System/nanoTime) deadline))]
            (reset! (:leader this) nil)
            (cond
              (not retry?) {:type :fail :error msg :tried target}
              (and (string? redirect) (not= redirect target) (some #{redirect} (:nodes test)))
              (recur redirect (inc hops))
              :else (do (drop-conn! this :write target)
                        (Thread/sleep 20)
                        (recur (next-node test target) (inc hops))))))))))

(defn read!
  "READ key at node only. Returns a completion map with how the read was served."
  [this test node k parse]
  (try (let [^ReadResult r (.read (conn this test :read node) k)]
         {:type :ok :value (some-> (.value r) parse) :node node
          :served-by (.servedBy r) :term (.term r) :read-mode (keyword (.readMode r))
          :applied-index (.appliedIndex r)})
       (catch LeaseKvException e
         (drop-conn! this :read node)
         {:type :fail :node node :error (.getMessage e)})))

(defn lrange!
  "LRANGE key 0 -1 at the leader (following redirects). Returns a completion map."
  [this test k]
  (let [r (write! this test (fn [^LeaseKvClient c] (vec (.lrange c k 0 -1))))]
    (if (= :ok (:type r))
      {:type :ok :value (mapv parse-long (:result r)) :node (:acked-by r)}
      (assoc r :type :fail))))

(defn lrange-at-own-node!
  "LRANGE key 0 -1 asked at the client's own node (no redirect, so a node that wrongly believes it
  leads answers), and at the leader when the own node says it is not the leader. Returns a
  completion map; :served-by names the node that answered."
  [this test k]
  (let [own (:node this)
        at-own (try {:type :ok :value (mapv parse-long (.lrange (conn this test :read own) k 0 -1)) :served-by own}
                    (catch LeaseKvException e
                      (drop-conn! this :read own)
                      {:type :fail :error (.getMessage e) :not-leader? (some? (redirect-target (.getMessage e)))}))]
    (if (:not-leader? at-own)
      (let [r (lrange! this test k)] (cond-> r (= :ok (:type r)) (assoc :served-by (:node r))))
      (dissoc at-own :not-leader?))))

(defn- register-key [k] (str "lease/" k))
(defn- list-key [k] (str "crash/" k))

(defn- invoke-op [this test {:keys [f value via] :as op}]
  (case [(:workload test) f]
    [:lease :read] (let [[k _] value
                         r (read! this test (or via (:node this)) (register-key k) parse-long)]
                     (assoc r :value [k (:value r)]))
    [:lease :write] (let [[k v] value]
                      (dissoc (write! this test (fn [^LeaseKvClient c] (.set c (register-key k) (str v)))) :result))
    [:crash :add] (let [[k x] value]
                    (dissoc (write! this test (fn [^LeaseKvClient c] (.rpush c (list-key k) (into-array String [(str x)]))))
                            :result))
    [:crash :read] (let [[k _] value
                         r (if (:final? op) (lrange! this test (list-key k)) (lrange-at-own-node! this test (list-key k)))]
                     (assoc r :value [k (:value r)]))
    (throw (ex-info (str "The lease client has no operation " f " for workload " (:workload test))
                    {:type :unknown-op :op op}))))

(defrecord LeaseClient [node conns leader]
  client/Client
  (open! [_ _ node] (->LeaseClient node (atom {}) (atom nil)))
  (setup! [_ _] nil)
  (invoke! [this test op]
    (merge (assoc op :node node) (invoke-op this test op)))
  (teardown! [_ _] nil)
  (close! [_ _]
    (doseq [^LeaseKvClient c (vals @conns)] (try (.close c) (catch Exception _ nil)))
    (reset! conns {})
    nil))

(defn client
  "Returns an unopened lease-workload client."
  []
  (->LeaseClient nil (atom {}) (atom nil)))
