(ns leasekv.harness.bench
  "`lein run bench-harness`: how many ops per second the harness itself can drive, measured against
  a system that is not the bottleneck. It starts a throwaway redis-server on 127.0.0.1 (no
  persistence), runs the harness's real generator, interpreter and history recorder against it
  with a minimal RESP register client (GET/SET over one socket per process, unthrottled), then
  runs redis-benchmark with the same number of connections, and prints both. The gap between the
  two is the harness's own cost per op (generator, hand-off between threads, and an EDN line
  written and flushed for every invocation and completion)."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.tools.cli :as tools-cli]
            [leasekv.harness.cli :as cli]
            [leasekv.harness.client :as client]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.generator :as gen]
            [leasekv.harness.history :as h]
            [leasekv.harness.interpreter :as interpreter]
            [leasekv.harness.util :as util])
  (:import (java.io BufferedInputStream BufferedOutputStream File)
           (java.net ServerSocket Socket)
           (java.nio.charset StandardCharsets)))

;; ---------------------------------------------------------------------------------------------
;; A minimal RESP client: enough for GET and SET.

(defn- write-command! [^BufferedOutputStream out args]
  (let [line (fn [^String s] (.write out (.getBytes s StandardCharsets/UTF_8)))]
    (line (str "*" (count args) "\r\n"))
    (doseq [^String a args]
      (let [b (.getBytes a StandardCharsets/UTF_8)]
        (line (str "$" (alength b) "\r\n"))
        (.write out b)
        (line "\r\n")))
    (.flush out)))

(defn- read-line! ^String [^BufferedInputStream in]
  (let [sb (StringBuilder.)]
    (loop []
      (let [c (.read in)]
        (cond (neg? c) (throw (java.io.EOFException. "connection closed"))
              (= c 13) (do (.read in) (str sb))
              :else (do (.append sb (char c)) (recur)))))))

(defn- read-reply! [^BufferedInputStream in]
  (let [l (read-line! in) body (subs l 1)]
    (case (first l)
      \+ body
      \- (throw (ex-info (str "redis: " body) {:type :fail}))
      \: (parse-long body)
      \$ (let [n (parse-long body)]
           (when-not (neg? n)
             (let [s (String. (.readNBytes in (int n)) StandardCharsets/UTF_8)]
               (.readNBytes in 2)
               s)))
      (throw (ex-info (str "unexpected reply " l) {})))))

(defrecord RespRegister [port ^Socket socket in out]
  client/Client
  (open! [_ _ _]
    (let [s (doto (Socket. "127.0.0.1" (int port)) (.setTcpNoDelay true) (.setSoTimeout 2000))]
      (->RespRegister port s (BufferedInputStream. (.getInputStream s)) (BufferedOutputStream. (.getOutputStream s)))))
  (setup! [_ _] nil)
  (invoke! [_ _ op]
    (let [[k v] (:value op)]
      (case (:f op)
        :read (do (write-command! out ["GET" (str "r" k)])
                  (assoc op :type :ok :value [k (some-> (read-reply! in) parse-long)]))
        :write (do (write-command! out ["SET" (str "r" k) (str v)])
                   (read-reply! in)
                   (assoc op :type :ok)))))
  (teardown! [_ _] nil)
  (close! [_ _] (some-> socket .close) nil))

;; ---------------------------------------------------------------------------------------------
;; redis-server and redis-benchmark

(defn- free-port []
  (with-open [s (ServerSocket. 0)] (.getLocalPort s)))

(defn- start-redis!
  "Starts redis-server on 127.0.0.1:port without persistence. Returns the Process."
  [port ^File dir]
  (let [p (.start (doto (ProcessBuilder. ["redis-server" "--port" (str port) "--bind" "127.0.0.1"
                                          "--save" "" "--appendonly" "no" "--dir" (str dir)])
                    (.redirectErrorStream true)
                    (.redirectOutput (io/file dir "redis.log"))))]
    (util/await-fn #(with-open [s (Socket. "127.0.0.1" (int port))] true)
                   {:timeout-ms 10000 :interval-ms 100 :what "redis-server"})
    p))

(defn- redis-benchmark
  "Runs redis-benchmark GET and SET with c connections. Returns {\"SET\" ops/s, \"GET\" ops/s}."
  [port c requests]
  (let [out (shell/run! ["redis-benchmark" "-h" "127.0.0.1" "-p" (str port) "-c" (str c)
                                   "-n" (str requests) "-t" "set,get" "-d" "8" "-r" "1000" "--csv"]
                                  {:timeout-ms 600000})]
    (into {} (for [line (str/split-lines out)
                   :let [[name rps] (map #(str/replace % "\"" "") (str/split line #","))]
                   :when (#{"SET" "GET"} name)]
               [name (parse-double rps)]))))

;; ---------------------------------------------------------------------------------------------
;; The measurement

(defn- generator [secs]
  (let [n (atom 0)]
    (gen/time-limit secs
                    (gen/clients (fn [] (let [i (swap! n inc) k (mod i 1000)]
                                          (if (even? i) {:f :read :value [k nil]} {:f :write :value [k i]})))))))

(defn drive!
  "Runs the harness's interpreter against redis on port for secs with c client threads, recording
  the history into file. Returns {:ops completed-client-ops :seconds s :ops-per-second r}."
  [port c secs file]
  (let [history (h/recorder file)
        test {:generator (generator secs) :client (->RespRegister port nil nil nil) :nemesis nil
              :concurrency c :nodes ["redis"] :history history :start-nanos (System/nanoTime)
              :stats (atom {}) :abort (atom false)}
        t0 (System/nanoTime)]
    (interpreter/run! test)
    (h/close! history)
    (let [secs (/ (- (System/nanoTime) t0) 1e9)
          done (count (filter #(and (integer? (:process %)) (= :ok (:type %))) (h/ops history)))]
      {:ops done :seconds secs :ops-per-second (/ done secs)})))

(def options
  [[nil "--time-limit SECONDS" "How long the harness drives redis" :default 20 :parse-fn parse-long
    :validate [pos? "--time-limit must be positive"]]
   [nil "--concurrency N" "Client threads (and redis-benchmark connections)" :default 10 :parse-fn parse-long
    :validate [pos? "--concurrency must be positive"]]
   ["-h" "--help" "Show this help"]])

(defn bench-cmd
  "`lein run bench-harness [--time-limit S] [--concurrency N]`. Prints the figures. Returns the exit code."
  [args]
  (let [{:keys [options errors summary]} (tools-cli/parse-opts args options)]
    (cond
      (:help options) (do (println "lein run bench-harness [OPTIONS]\n") (println summary) 0)
      errors (cli/fail-usage (str/join "\n" errors) "bench-harness")
      (not (zero? (:exit (shell/run ["sh" "-c" "command -v redis-server && command -v redis-benchmark"]))))
      (cli/fail-usage "bench-harness needs redis-server and redis-benchmark (apt-get install redis-server redis-tools)" "bench-harness")
      :else
      (let [dir (.toFile (java.nio.file.Files/createTempDirectory "leasekv-bench-harness" (make-array java.nio.file.attribute.FileAttribute 0)))
            port (free-port)
            {c :concurrency secs :time-limit} options
            redis (start-redis! port dir)]
        (try
          (let [r (drive! port c secs (io/file dir "history.edn"))
                b (redis-benchmark port c 200000)
                bench-mean (/ (+ (get b "GET" 0.0) (get b "SET" 0.0)) 2)]
            (println (format "harness (generator + interpreter + history.edn), %d threads, GET/SET 50/50: %,.0f ops/s (%,d ops in %.1f s; %,d history lines)"
                             c (:ops-per-second r) (:ops r) (:seconds r) (* 2 (:ops r))))
            (println (format "redis-benchmark, %d connections, no pipelining:                SET %,.0f ops/s, GET %,.0f ops/s"
                             c (get b "SET" 0.0) (get b "GET" 0.0)))
            (println (format "harness / redis-benchmark: %.2f (target: the harness drives >= 5,000 ops/s)"
                             (/ (:ops-per-second r) bench-mean)))
            (if (>= (:ops-per-second r) 5000) 0 1))
          (finally
            (.destroy ^Process redis)
            (.waitFor ^Process redis)
            (shell/run ["rm" "-rf" (str dir)])))))))
