(ns leasekv.harness.web.server-test
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.log :as log]
            [leasekv.harness.web :as web]
            [leasekv.harness.web.fixtures :as fx]
            [leasekv.harness.web.server :as server])
  (:import (java.net Socket URI)
           (java.net.http HttpClient HttpRequest HttpRequest$BodyPublishers HttpResponse$BodyHandlers)))

(defn- request [port method path]
  (let [client (HttpClient/newHttpClient)
        req (-> (HttpRequest/newBuilder (URI. (str "http://127.0.0.1:" port path)))
                (.method method (HttpRequest$BodyPublishers/noBody))
                (.build))
        resp (.send client req (HttpResponse$BodyHandlers/ofString))]
    {:status (.statusCode resp)
     :type (first (.allValues (.headers resp) "content-type"))
     :location (first (.allValues (.headers resp) "location"))
     :body (.body resp)}))

(defn- raw-request
  "Sends a request line as it is (no client normalizes it). Returns the status line."
  [port line]
  (with-open [s (Socket. "127.0.0.1" (int port))]
    (let [out (.getOutputStream s)]
      (.write out (.getBytes (str line "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")))
      (.flush out)
      (first (line-seq (io/reader (.getInputStream s)))))))

(deftest content-types-by-name
  (is (= "text/html; charset=utf-8" (server/content-type "index.html")))
  (is (= "image/svg+xml" (server/content-type "linear-key-5.svg")))
  (is (= "text/plain; charset=utf-8" (server/content-type "history.edn")))
  (is (= "text/plain; charset=utf-8" (server/content-type "store.log.1")))
  (is (= "text/plain; charset=utf-8" (server/content-type "README")))
  (is (= "application/octet-stream" (server/content-type "data.bin"))))

(deftest serves-results-on-localhost
  (let [root (fx/temp-dir "web-serve")
        h (fx/register-history {:processes 3 :ops-per-process 10})
        run (fx/write-run! root "etcd-register" "20260104T000000.000" {:history h :results {:valid? true}})
        srv (binding [log/*quiet* true] (web/serve! {:root (str root) :port 0 :bind "127.0.0.1"}))
        port (.getPort (.getAddress srv))]
    (try
      (testing "binds to loopback"
        (is (= "127.0.0.1" (.getHostAddress (.getAddress (.getAddress srv))))))
      (testing "the index, regenerated at start"
        (let [{:keys [status type body]} (request port "GET" "/")]
          (is (= 200 status))
          (is (= "text/html; charset=utf-8" type))
          (is (str/includes? body "etcd-register/20260104T000000.000/index.html"))))
      (testing "a run page, its data, its logs and its history, with their types"
        (is (str/includes? (:body (request port "GET" "/etcd-register/20260104T000000.000/")) "LeaseKvViewer.run"))
        (is (= "text/javascript; charset=utf-8" (:type (request port "GET" "/etcd-register/20260104T000000.000/view-data.js"))))
        (is (= "text/plain; charset=utf-8" (:type (request port "GET" "/etcd-register/20260104T000000.000/n2/store.log"))))
        (is (str/starts-with? (:body (request port "GET" "/etcd-register/20260104T000000.000/history.edn")) "{:index 0"))
        (is (= "text/javascript; charset=utf-8" (:type (request port "GET" "/viewer/viewer.js")))))
      (testing "a directory without an index is listed; a directory without a slash is redirected"
        (is (str/includes? (:body (request port "GET" "/etcd-register/20260104T000000.000/n2/")) "store.log"))
        (let [r (request port "GET" "/etcd-register/20260104T000000.000/n2")]
          (is (= 301 (:status r)))))
      (testing "nothing outside the results directory, and only GET and HEAD"
        (is (str/includes? (raw-request port "GET /../../etc/passwd HTTP/1.1") "403"))
        (is (str/includes? (raw-request port "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1") "403"))
        (is (= 404 (:status (request port "GET" "/no/such/file"))))
        (is (= 405 (:status (request port "POST" "/"))))
        (let [r (request port "HEAD" "/etcd-register/20260104T000000.000/history.edn")]
          (is (= [200 ""] [(:status r) (:body r)]))))
      (testing "a run stored after the server started gets its page when asked for, and joins the index"
        (let [later (fx/write-run! root "leasekv-register" "20260104T000001.000" {:history h :results {:valid? false}})]
          (is (not (.exists (io/file later "index.html"))))
          (is (str/includes? (:body (request port "GET" "/leasekv-register/20260104T000001.000/")) "What went wrong"))
          (Thread/sleep 1100)
          (is (str/includes? (:body (request port "GET" "/index.html")) "leasekv-register/20260104T000001.000"))))
      (testing "a page is rebuilt when its run changed since"
        (spit (io/file run "results.edn") "{:valid? false}")
        (.setLastModified (io/file run "results.edn") (+ 5000 (.lastModified (io/file run "index.html"))))
        (is (str/includes? (:body (request port "GET" "/etcd-register/20260104T000000.000/index.html")) "What went wrong")))
      (finally
        (server/stop! srv)
        (fx/delete-tree! root)))))
