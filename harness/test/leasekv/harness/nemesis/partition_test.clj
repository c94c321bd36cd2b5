(ns leasekv.harness.nemesis.partition-test
  "Composed partitions on a fake cluster that records every iptables command: a second partition
  started before the first heals adds only its new links, a partial heal removes only the links
  no remaining partition cuts, and every op records the links cut."
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.control :as c]
            [leasekv.harness.db :as db]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.full :as full]
            [leasekv.harness.net :as net]))

(def nodes ["n1" "n2" "n3" "n4" "n5"])

(defn- fake-test
  "A test whose remote records the drop rules it is told to add (-A) and delete (-D), as
  [node :add|:delete source-node], and whose leader is leader."
  [leader]
  (let [log (atom [])
        by-address (into {} (for [n nodes] [(str "10.0.0." (subs n 1)) n]))
        remote (reify c/Remote
                 (address [_ node] (str "10.0.0." (subs node 1)))
                 (exec* [_ node cmd _]
                   (doseq [[_ flag addr] (re-seq #"iptables -w -([AD]) INPUT -s (\S+) -j DROP" cmd)]
                     (swap! log conj [node (if (= "A" flag) :add :delete) (by-address addr)]))
                   {:exit 0 :out "" :err ""}))
        fake-db (reify db/Primary (primaries [_ _] [leader]))]
    {:nodes nodes :remote remote :db fake-db :log log}))

(defn- rules
  "The drop rules in force after the recorded commands, as a grudge."
  [log]
  (reduce (fn [g [node what from]]
            (case what
              :add (update g node (fnil conj #{}) from)
              :delete (let [left (disj (get g node #{}) from)] (if (seq left) (assoc g node left) (dissoc g node)))))
          {} log))

(deftest a-follower-cut-from-the-leader-then-the-leader-isolated-then-healed-in-turn
  (let [test (fake-test "n1")
        nem (nemesis/setup! (full/nemesis) (assoc test :remote (:remote test)))
        _ (reset! (:log test) [])
        first-cut (nemesis/invoke! nem test {:type :info :f :start-partition :value :follower-from-leader})
        follower (first (remove #{"n1"} (keys (get-in first-cut [:value :grudge]))))]
    (testing "the follower and the leader no longer hear each other, nothing else is cut"
      (is (= (net/cut-pair "n1" follower) (get-in first-cut [:value :grudge])))
      (is (= (net/cut-pair "n1" follower) (get-in first-cut [:value :cut])))
      (is (= (net/cut-pair "n1" follower) (rules @(:log test)))))
    (let [second-cut (nemesis/invoke! nem test {:type :info :f :start-partition :value :isolate-leader})]
      (testing "the isolation composes: every link of it is cut once, none twice"
        (is (= (net/isolate nodes "n1") (get-in second-cut [:value :cut])))
        (is (= (net/isolate nodes "n1") (rules @(:log test))))
        (is (= (count (distinct @(:log test))) (count @(:log test))) "no rule added twice")
        (is (str/includes? (nemesis/active-faults nem) "follower-from-leader+isolate-leader"))))
    (let [healed (nemesis/invoke! nem test {:type :info :f :heal-partition :value :isolate-leader})]
      (testing "healing the isolation leaves the follower cut from the leader"
        (is (= (net/cut-pair "n1" follower) (get-in healed [:value :cut])))
        (is (= (net/cut-pair "n1" follower) (rules @(:log test))))
        (is (= 6 (count (get-in healed [:value :links]))) "8 isolation links less the 2 still cut")))
    (let [healed (nemesis/invoke! nem test {:type :info :f :heal-partition :value :follower-from-leader})]
      (is (= {} (get-in healed [:value :cut])))
      (is (= {} (rules @(:log test))))
      (is (= "none" (nemesis/active-faults nem))))))

(deftest followers-from-leader-cuts-a-minority-of-followers-and-leaves-the-leader-a-quorum
  (let [test (fake-test "n3")
        cut (get-in (nemesis/invoke! (full/nemesis) test {:type :info :f :start-partition :value :followers-from-leader})
                    [:value :grudge])]
    (is (= 2 (count (get cut "n3"))))
    (is (not (contains? (get cut "n3") "n3")))
    (is (every? #(= #{"n3"} (get cut %)) (get cut "n3")))
    (is (= cut (rules @(:log test))))))

(deftest the-followers-cut-from-the-leader-are-known-to-the-nemesis
  (let [test (fake-test "n1")
        nem (full/nemesis)
        done (nemesis/invoke! nem test {:type :info :f :start-partition :value :followers-from-leader})]
    (is (= "n1" (get-in done [:value :leader])))
    (is (= (vec (sort (get-in done [:value :grudge "n1"]))) (nemesis/cut-followers (:state nem))))
    (nemesis/invoke! nem test {:type :info :f :start-partition :value :isolate-leader})
    (is (= 2 (count (nemesis/cut-followers (:state nem)))) "still known under a composed isolation")
    (nemesis/invoke! nem test {:type :info :f :heal-partition :value :followers-from-leader})
    (is (= [] (nemesis/cut-followers (:state nem))))))

(deftest healing-the-first-partition-keeps-the-second
  (let [test (fake-test "n2")
        nem (full/nemesis)]
    (nemesis/invoke! nem test {:type :info :f :start-partition :value :follower-from-leader})
    (nemesis/invoke! nem test {:type :info :f :start-partition :value :isolate-leader})
    (let [healed (nemesis/invoke! nem test {:type :info :f :heal-partition :value :follower-from-leader})]
      (is (= (net/isolate nodes "n2") (get-in healed [:value :cut])) "the pair is inside the isolation: nothing freed")
      (is (= [] (get-in healed [:value :links])))
      (is (= (net/isolate nodes "n2") (rules @(:log test)))))))

(deftest leader-minority-cuts-the-leader-and-one-follower-from-the-other-three
  (let [test (fake-test "n4")
        done (nemesis/invoke! (full/nemesis) test {:type :info :f :start-partition :value :leader-minority})
        grudge (get-in done [:value :grudge])
        [side others] (sort-by count (net/components grudge))]
    (is (= 2 (count side)))
    (is (contains? (set side) "n4") "the leader is on the minority side")
    (is (= 3 (count others)))
    (is (= grudge (rules @(:log test))))
    (testing "with three nodes the leader is alone"
      (let [small (assoc (fake-test "n2") :nodes ["n1" "n2" "n3"])
            g (get-in (nemesis/invoke! (full/nemesis) small {:type :info :f :start-partition :value :leader-minority})
                      [:value :grudge])]
        (is (= (net/isolate ["n1" "n2" "n3"] "n2") g))))))
