(ns leasekv.harness.net-test
  (:require [clojure.set :as set]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.net :as net]
            [leasekv.harness.util :as util]))

(def nodes ["n1" "n2" "n3" "n4" "n5"])

(defn- hears [grudge node] (set/difference (set nodes) (get grudge node #{})))

(deftest complete-grudge-splits
  (let [g (net/complete-grudge [["n1" "n2"] ["n3" "n4" "n5"]])]
    (is (= #{"n3" "n4" "n5"} (g "n1")))
    (is (= #{"n1" "n2"} (g "n4")))
    (is (= [["n1" "n2"] ["n3" "n4" "n5"]] (net/components g)))
    (is (= "n1,n2 | n3,n4,n5" (net/describe g)))))

(deftest random-halves-make-a-minority-and-a-majority
  (dotimes [_ 20]
    (let [cs (net/components (net/random-halves nodes))]
      (is (= [2 3] (sort (map count cs))))
      (is (= (set nodes) (set (apply concat cs)))))))

(deftest isolate-cuts-one-node
  (let [g (net/isolate nodes "n3")]
    (is (= #{"n3"} (hears g "n3")))
    (is (= #{"n1" "n2" "n4" "n5"} (hears g "n1")))))

(deftest bridge-node-hears-both-sides
  (dotimes [_ 20]
    (let [g (net/bridge nodes)
          bridges (filter #(= (set nodes) (hears g %)) nodes)]
      (is (= 1 (count bridges)))
      (doseq [n nodes :when (not= n (first bridges))]
        (is (= 3 (count (hears g n))) "each side plus the bridge is a majority")))))

(deftest majorities-ring-every-node-hears-a-distinct-majority
  (doseq [ns [nodes (take 3 nodes) (take 4 nodes) (conj nodes "n6" "n7")]]
    (let [g (net/majorities-ring ns)
          views (for [n ns] (set/difference (set ns) (get g n #{})))]
      (is (every? #(= (util/majority (count ns)) (count %)) views))
      (is (every? (fn [n] (contains? (set/difference (set ns) (get g n #{})) n)) ns) "a node hears itself")
      (when (> (count ns) 3)
        (is (= (count ns) (count (distinct views))))))))

(deftest one-way-only-silences-one-direction
  (let [g (net/one-way nodes "n2")]
    (is (= #{"n2"} (hears g "n2")))
    (is (= (set nodes) (hears g "n1")))
    (is (nil? (net/components g)))
    (is (re-find #"n2 hears nothing from n1,n3,n4,n5" (net/describe g)))))

(deftest drop-and-heal-commands
  (is (= "iptables -w -A INPUT -s 10.77.0.12 -j DROP -m comment --comment leasekv-harness"
         (net/drop-command ["10.77.0.12"])))
  (is (re-find #"grep -- '--comment leasekv-harness'" net/heal-command)))

(deftest grudges-compose-and-heal-link-by-link
  (let [cut (net/cut-pair "n1" "n3")
        iso (net/isolate nodes "n1")
        both (net/merge-grudges cut iso)]
    (is (= {"n1" #{"n3"} "n3" #{"n1"}} cut))
    (is (= iso both) "the pair is inside the isolation")
    (is (= [["n1" "n3"] ["n3" "n1"]] (net/links cut)))
    (is (= 8 (count (net/links iso))))
    (testing "healing the isolation keeps the pair cut"
      (is (= cut (net/merge-grudges (net/grudge-minus both iso) cut)))
      (is (= {} (net/grudge-minus both iso))))
    (testing "links cut by a composed partition stay when the other heals"
      (let [g (net/merge-grudges (net/cut-pair "n2" "n4") iso)]
        (is (= (net/cut-pair "n2" "n4") (net/grudge-minus g iso)))))
    (is (= {} (net/merge-grudges)) "nothing cut")))

(deftest cut-from-cuts-one-node-from-some-others
  (is (= {"n1" #{"n2" "n3"} "n2" #{"n1"} "n3" #{"n1"}} (net/cut-from "n1" ["n2" "n3"])))
  (is (= (net/cut-pair "n1" "n2") (net/cut-from "n1" ["n2"]))))

(deftest undrop-removes-exactly-the-named-rules
  (is (= (str "iptables -w -D INPUT -s 10.77.0.12 -j DROP -m comment --comment leasekv-harness 2>/dev/null; "
              "iptables -w -D INPUT -s 10.77.0.13 -j DROP -m comment --comment leasekv-harness 2>/dev/null")
         (net/undrop-command ["10.77.0.12" "10.77.0.13"]))))

