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
        :step (is (pos? (:ms f)))))
    (when (and (= :rate (:action f)) (> (:rate f) (+ 1 rho)))
      (is (#{:leader :followers-minority} (:target f)) "only a leader or a follower minority may run faster than 1+rho"))))

(deftest faults-beyond-the-bound-are-beyond-it
  (doseq [rho [0.1 0.5]
          f (clock/beyond-bound-targets rho)]
    (is (< (:rate f) (- 1 rho)))))
