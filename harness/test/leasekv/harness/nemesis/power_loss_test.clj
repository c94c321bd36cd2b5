(ns leasekv.harness.nemesis.power-loss-test
  (:require [clojure.string :as str]
            [clojure.test :refer [deftest is]]
            [leasekv.harness.checker :as checker]
            [leasekv.harness.lazyfs :as lazyfs]
            [leasekv.harness.nemesis.power-loss :as power-loss]))

(defn- check [values]
  (checker/check (power-loss/checker) {}
                 (vec (map-indexed (fn [i v] {:index i :process :nemesis :type :info :f :power-loss :value v}) values))
                 {}))

(deftest a-node-that-does-not-come-back-makes-the-run-invalid
  (let [ok {:nodes ["n1"] :restarted {"n1" :serving} :lost {"n1" {:wal {:lost-page-bytes 4096}}}}
        bad {:nodes ["n2"] :restarted {"n2" :died} :failed-starts {"n2" "exit 3\ncorrupt WAL"}}]
    (is (true? (:valid? (check [{:nodes :all} ok]))))
    (is (= 4096 (:lost-bytes (check [ok]))))
    (let [r (check [ok bad])]
      (is (false? (:valid? r)))
      (is (= "n2" (:node (first (:failed-starts r))))))))

(deftest lazyfs-replies-and-directories
  (is (= {:lost-page-bytes 8192 :lost-files 1 :undone-ops 0}
         (lazyfs/parse-reply "ok lost_page_bytes=8192 lost_files=1 undone_ops=0")))
  (is (= [:wal :fsm] (lazyfs/parse-dirs :both)))
  (is (= [:fsm] (lazyfs/parse-dirs "fsm")))
  (is (thrown-with-msg? clojure.lang.ExceptionInfo #"wal, fsm or both" (lazyfs/parse-dirs :disk)))
  (let [p (lazyfs/paths {:base-dir "/b"} "n3" :wal)]
    (is (= "/b/n3/data/wal" (:mount p)) "the store's default --wal-dir is the mount point")
    (is (str/includes? (lazyfs/unmount-script p) "fusermount -u /b/n3/data/wal"))
    (is (str/includes? (lazyfs/unmount-script p) "/proc/$p/cmdline") "a stale pid is checked before it is killed")))

(deftest partial-losses-carry-a-seed-and-name-their-mode
  (let [t (power-loss/with-seed {:nodes :all :dirs :wal :loss :tear})]
    (is (integer? (:seed t)))
    (is (= t (power-loss/with-seed t)) "a given seed is kept"))
  (is (nil? (:seed (power-loss/with-seed {:nodes :all :dirs :both}))) "a whole loss needs none")
  (is (= (power-loss/node-seed 7 "n1" :wal) (power-loss/node-seed 7 "n1" :wal)))
  (is (not= (power-loss/node-seed 7 "n1" :wal) (power-loss/node-seed 7 "n2" :wal)))
  (is (= "lose-unsynced" (lazyfs/loss-command :all 3)))
  (is (= "lose-unsynced tear seed=3" (lazyfs/loss-command :tear 3)))
  (is (= "all wal tear at fsync" (power-loss/describe {:nodes :all :dirs :wal :loss :tear :at-fsync? true}))))

(deftest the-checker-counts-torn-writes-and-torn-tail-recoveries
  (let [loss {:nodes ["n1" "n2"] :restarted {"n1" :serving "n2" :serving}
              :lost {"n1" {:wal {:lost-page-bytes 0 :torn-writes 0} :fsm {:torn-writes 1}}}
              :at-fsync {"n1" {:wal {:struck? true :torn-writes 1}} "n2" {:wal {:struck? false :torn-writes 0}}}
              :wal-recovery {"n1" "WAL recovered from 1 segment(s); truncated torn WAL tail: /d/wal/1.seg from byte offset 4096 (40 bytes, 0 intact unsynced records after the torn one)"
                             "n2" "WAL recovered from 1 segment(s); clean tail"}}
        r (check [loss])]
    (is (true? (:valid? r)))
    (is (= 2 (:torn-writes r)))
    (is (= 1 (:struck-at-fsync r)))
    (is (= 2 (:wal-recoveries r)))
    (is (= 1 (:torn-tail-recoveries r)))))

