(ns leasekv.harness.nemesis.clock-test
  (:require [clojure.test :refer [deftest is]]
            [leasekv.harness.nemesis.clock :as clock]))

(deftest faults-within-the-bound-never-slow-a-possible-leader-below-1-minus-rho
  (doseq [rho [0.1 0.5]
          f (clock/within-bound-targets rho)]
    (when (#{:leader :minority} (:target f))
      (case (:action f)
        :rate (is (<= (- 1 rho) (:rate f) (max 2.0 (+ 1 rho))) (pr-str f))
        :strobe (is (<= (- 1 rho) (:lo f)) (pr-str f))
        :step (is (pos? (:ms f)))
        :wall-step (is (integer? (:ms f)))))
    (when (and (= :rate (:action f)) (> (:rate f) (+ 1 rho)))
      (is (#{:leader :followers-minority} (:target f)) "only a leader or a follower minority may run faster than 1+rho"))))

(deftest wall-steps-go-both-ways
  (let [steps (filter #(= :wall-step (:action %)) (concat (clock/within-bound-targets 0.5)
                                                          (apply concat clock/wall-step-targets)))]
    (is (some #(neg? (:ms %)) steps))
    (is (some #(pos? (:ms %)) steps))
    (is (= "leader wall -10000ms" (clock/describe {:action :wall-step :target :leader :ms -10000})))))

(deftest the-clock-reply-is-read-with-or-without-the-wall-offset
  (is (= {:rate 0.5 :offset-ms 2.0} (clock/parse-clock-reply ["0.5" 2000000 123])))
  (is (= {:rate 1.0 :offset-ms 0.0 :wall-offset-ms -1500.0} (clock/parse-clock-reply ["1.0" 0 5 -1500000000])))
  (is (nil? (clock/parse-clock-reply "ERR"))))

(deftest faults-beyond-the-bound-are-beyond-it
  (doseq [rho [0.1 0.5]
          f (clock/beyond-bound-targets rho)]
    (is (< (:rate f) (- 1 rho)))))
