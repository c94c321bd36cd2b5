(ns leasekv.harness.nemesis.crash-at-test
  "The crash-at fault and restarts on a fake cluster: nodes that halt when a Ready reaches the
  point they were armed at (the store's ADMIN CRASH-AT), a :start that restarts them, and nodes
  that cannot restart, named by the op and by the final heal and made invalid by the checker."
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.control :as c]
            [leasekv.harness.db :as db]
            [leasekv.harness.db.leasekv :as lkv-db]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.admin :as admin]
            [leasekv.harness.nemesis.full :as full]
            [leasekv.harness.nemesis.power-loss :as power-loss]
            [leasekv.harness.report :as report]))

(def nodes ["n1" "n2" "n3" "n4" "n5"])

(defn- fake-cluster
  "A cluster whose leader is leader. (:nodes @cluster): node -> {:up? :armed :broken?}. An armed
  node halts 30 ms after it is armed (its next Ready) unless its point is in never-reached; a
  broken node dies as soon as it is started (a store that refuses to start)."
  [leader & {:keys [never-reached broken] :or {never-reached #{} broken #{}}}]
  (let [cluster (atom {:nodes (into {} (for [n nodes] [n {:up? true}])) :commands []})
        remote (reify c/Remote
                 (address [_ node] (str "10.0.0." (subs node 1)))
                 (exec* [_ _ _ _] {:exit 0 :out "" :err ""}))
        fake-db (reify
                  db/Primary (primaries [_ _] [leader])
                  db/Kill
                  (start! [_ _ node]
                    (if (get-in @cluster [:nodes node :up?])
                      :already-running
                      (do (swap! cluster assoc-in [:nodes node] {:up? (not (broken node))}) :started)))
                  (kill! [_ _ node]
                    (let [was (get-in @cluster [:nodes node :up?])]
                      (swap! cluster assoc-in [:nodes node :up?] false)
                      (if was :killed :not-running)))
                  db/Liveness
                  (process-state [_ _ node]
                    (if (get-in @cluster [:nodes node :up?]) :serving {:died "store: refusing to start: corrupt WAL"})))]
    {:cluster cluster
     :never-reached never-reached
     :test {:nodes nodes :remote remote :db fake-db}}))

(defn- fake-admin
  "admin/try-command on the fake cluster: CRASH-AT arms the node, which then halts at its next Ready."
  [{:keys [cluster never-reached]}]
  (fn [_ node & words]
    (swap! cluster update :commands conj (into [node] (map str words)))
    (let [[cmd point] (map str words)]
      (if (and (= "CRASH-AT" cmd) (get-in @cluster [:nodes node :up?]))
        (do (swap! cluster assoc-in [:nodes node :armed] (keyword point))
            (when-not (never-reached (keyword point))
              (future (Thread/sleep 30) (swap! cluster assoc-in [:nodes node] {:up? false})))
            {:ok "OK"})
        {:error "Connection refused"}))))

(defn- up [cluster] (set (for [[n s] (:nodes @cluster) :when (:up? s)] n)))

(deftest the-followers-left-to-the-leader-halt-at-the-point-and-a-start-brings-them-back
  (let [{:keys [cluster test] :as fake} (fake-cluster "n1")
        nem (full/nemesis)]
    (with-redefs [admin/try-command (fake-admin fake)]
      (let [cut (nemesis/invoke! nem test {:type :info :f :start-partition :value :followers-from-leader})
            cut-off (set (get-in cut [:value :grudge "n1"]))
            uncut (remove (conj cut-off "n1") nodes)
            done (nemesis/invoke! nem test {:type :info :f :crash-at
                                            :value {:target :uncut-followers :point :before-log-sync :await-ms 2000}})]
        (testing "armed exactly the followers the leader still reaches, at the point asked"
          (is (= 2 (count uncut)))
          (is (= (set uncut) (set (get-in done [:value :nodes]))))
          (is (= (set (for [n uncut] [n "CRASH-AT" "before-log-sync"])) (set (:commands @cluster)))))
        (testing "they halted there, and the nemesis shows them down"
          (is (= (zipmap (sort uncut) (repeat :at-point)) (get-in done [:value :halted])))
          (is (= (set (remove (set uncut) nodes)) (up cluster)))
          (is (str/includes? (nemesis/active-faults nem) (str "killed " (str/join "," (sort uncut))))))
        (let [started (nemesis/invoke! nem test {:type :info :f :start})]
          (testing "a start restarts them and finds them serving"
            (is (= (set nodes) (up cluster)))
            (is (= :started (get-in started [:value (first uncut)])))
            (is (nil? (:failed-starts started)))))))))

(deftest a-node-that-never-reaches-its-point-is-killed-so-that-none-stays-armed
  (let [{:keys [cluster test] :as fake} (fake-cluster "n1" :never-reached #{:after-snapshot-reset})
        nem (full/nemesis)]
    (with-redefs [admin/try-command (fake-admin fake)]
      (let [done (nemesis/invoke! nem test {:type :info :f :crash-at
                                            :value {:target :leader :point :after-snapshot-reset :await-ms 100}})]
        (is (= {"n1" :killed} (get-in done [:value :halted])))
        (is (not ((up cluster) "n1")))))))

(deftest armed-without-waiting-the-start-lets-it-halt-then-restarts-it
  (let [{:keys [cluster test] :as fake} (fake-cluster "n1")
        nem (full/nemesis)]
    (with-redefs [admin/try-command (fake-admin fake)]
      (nemesis/invoke! nem test {:type :info :f :start-partition :value :follower-from-leader})
      (let [armed (nemesis/invoke! nem test {:type :info :f :crash-at
                                             :value {:target :cut-followers :point :after-snapshot-reset :await-ms 0}})
            node (first (get-in armed [:value :nodes]))]
        (is (= {node "OK"} (get-in armed [:value :armed])))
        (is (nil? (get-in armed [:value :halted])) "only armed")
        (let [started (nemesis/invoke! nem test {:type :info :f :start})]
          (is (= {node :at-point} (:crash-at started)))
          (is (= (set nodes) (up cluster))))))))

(deftest a-node-that-cannot-restart-is-named-by-the-start-the-heal-and-the-checker
  (let [{:keys [cluster test] :as fake} (fake-cluster "n1" :broken #{"n2"})
        nem (full/nemesis)
        test (assoc test :nemesis nem)]
    (with-redefs [admin/try-command (fake-admin fake)]
      (nemesis/invoke! nem test {:type :info :f :crash-at :value {:target :one :point :before-log-sync :await-ms 0}})
      (swap! cluster assoc-in [:nodes "n2" :up?] false)
      (let [started (nemesis/invoke! nem test {:type :info :f :start})
            _ (nemesis/invoke! nem test {:type :info :f :crash-at :value {:target :leader :point :after-log-sync :await-ms 0}})
            _ (Thread/sleep 200) ; n1 reaches its point
            healed (nemesis/heal! test)
            history [(assoc started :index 7 :process :nemesis)
                     {:index 9 :process :nemesis :type :info :f :heal :value healed :failed-starts (:failed-starts healed)}]
            verdict (checker/check (power-loss/checker) test history {})]
        (testing "the start names the node and the end of its log"
          (is (= {"n2" "store: refusing to start: corrupt WAL"} (:failed-starts started))))
        (testing "the final heal restarted every node and names the one that died"
          (is (= {"n1" :at-point} (get-in healed [:pre :crash-at])) "n1 had halted already")
          (is (= #{"n2"} (set (keys (:failed-starts healed)))))
          (is (= (disj (set nodes) "n2") (up cluster))))
        (testing "the checker makes the run invalid; the finding says where"
          (is (false? (:valid? verdict)))
          (is (= [["n2" :start 7] ["n2" :heal 9]] (map (juxt :node :f :op-index) (:failed-starts verdict))))
          (is (some #{"node n2 could not restart after the start at op 7 (and 1 more time): store: refusing to start: corrupt WAL"}
                    (report/lines {:restarts verdict}))))))))

(deftest the-final-heal-kills-a-node-still-armed-and-restarts-it
  (let [{:keys [cluster test] :as fake} (fake-cluster "n1" :never-reached #{:after-snapshot-reset})
        nem (full/nemesis)
        test (assoc test :nemesis nem)]
    (with-redefs [admin/try-command (fake-admin fake)]
      (nemesis/invoke! nem test {:type :info :f :crash-at :value {:target :leader :point :after-snapshot-reset :await-ms 0}})
      (let [healed (nemesis/heal! test)]
        (is (= {"n1" :killed} (get-in healed [:pre :crash-at])) "the hook cannot disarm: a kill does")
        (is (= :started (get-in healed [:started "n1"])))
        (is (nil? (:failed-starts healed)))
        (is (= (set nodes) (up cluster)))
        (is (nil? (get-in @cluster [:nodes "n1" :armed])) "restarted, so no longer armed")))))

(deftest nodes-of-a-test-with-crash-points-run-with-the-test-hooks
  (let [test {:nodes ["n1" "n2"] :base-dir "/tmp/x" :remote (reify c/Remote (address [_ n] (str n ".host")))}]
    (is (some #{"--test-hooks"} (lkv-db/command (assoc test :faults #{:partition :crash-at}) "n1" {:jar "/j.jar"})))
    (is (not-any? #{"--test-hooks"} (lkv-db/command (assoc test :faults #{:partition}) "n1" {:jar "/j.jar"})))))
