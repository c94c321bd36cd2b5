(ns leasekv.harness.client-lease-test
  (:require [clojure.test :refer [deftest is]]
            [leasekv.harness.client.lease :as lease-client]
            [leasekv.harness.delay :as delay]))

(deftest redirects-are-read-from-the-client-message
  (is (= "n3" (lease-client/redirect-target "SET failed: server 10.78.0.12:6379 answered -NOTLEADER n3 10.78.0.13:6379 (pinned)")))
  (is (= :unknown (lease-client/redirect-target "answered -NOTLEADER unknown (pinned to a node that is not the leader)")))
  (is (nil? (lease-client/redirect-target "no reply within 500 ms"))))

(deftest delay-rules-file
  (is (= "# source [lane] delay-ms (written by the harness)\n10.78.0.11 800\n10.78.0.12 0\n"
         (delay/rules-text {"10.78.0.12" 0 "10.78.0.11" 800})))
  (is (= "# source [lane] delay-ms (written by the harness)\n10.78.0.11 replication 100\n"
         (delay/rules-text {["10.78.0.11" :replication] 100})))
  (is (= "127.0.0.1:7001" (delay/store-peer-addr {:delay-proxy? true})))
  (is (= "0.0.0.0:7000" (delay/store-peer-addr {}))))
