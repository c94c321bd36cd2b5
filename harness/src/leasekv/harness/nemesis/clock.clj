(ns leasekv.harness.nemesis.clock
  "Clock faults through the store's test hook (ADMIN CLOCK, nodes started with --test-hooks): the
  node's lease and tick clock is monotonic (System.nanoTime behind an adjustable rate and forward
  offset), so the faults are the ones a monotonic clock can suffer:
    rate    the clock runs r times as fast from now on (a slow or fast oscillator);
    step    the clock jumps forward by ms (a monotonic clock never goes back: a backward jump is
            modelled as a slow rate for a while, which strobe does);
    strobe  the rate flips between lo and hi every period-ms for duration-ms, then returns to 1;
    wall-step  the node's WALL clock jumps by ms, forward or (negative ms) backward, as NTP steps
            a real one (ADMIN CLOCK WALL-STEP); the safe store reads no wall time for leases,
            election timers or deadlines, so it must not notice, while a store that anchored or
            checked its lease on wall time would hold it too long after a backward step;
    reset   rate 1 and the wall clock back to real time on every node (monotonic steps stay).
  Jepsen's clock nemesis sets CLOCK_REALTIME, which a nanoTime lease never reads; rate, step and
  strobe reach the clock the lease is measured on, wall-step the one it must never be.

  The lease is safe only while clocks stay within the drift bound rho (--clock-drift-bound) the
  nodes were started with: a leader clock at rate r stretches its lease in real time by 1/r, so a
  leader rate below 1-rho is outside the assumption. A fast clock on a minority cannot elect a new
  leader early, since a majority that still waits must vote. `within-bound-targets` draws only
  faults inside the assumption for a given rho; `beyond-bound-targets` the ones outside it (the
  lease is then expected to break: that is the assumption, not a bug).

  Every clock op's completion carries :clocks, the state of every node's clock after it:
  {node {:rate r :offset-ms ms :wall-offset-ms ms}} or {node :unreachable}."
  (:require [clojure.string :as str]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.admin :as admin]
            [leasekv.harness.util :as util]))

(defn- parse-number [x]
  (cond (number? x) x
        (string? x) (or (parse-double (str/trim x)) x)
        :else x))

(defn parse-clock-reply
  "Takes the ADMIN CLOCK reply ([rate offset-ns now-ns] or, from stores with a wall clock,
  [rate offset-ns now-ns wall-offset-ns]). Returns {:rate :offset-ms [:wall-offset-ms]}, or nil."
  [reply]
  (when (and (sequential? reply) (<= 3 (count reply) 4))
    (let [[rate offset _now wall] reply]
      (cond-> {:rate (parse-number rate) :offset-ms (/ (double (parse-number offset)) 1e6)}
        wall (assoc :wall-offset-ms (/ (double (parse-number wall)) 1e6))))))

(defn clock-state
  "Returns node's clock {:rate r :offset-ms ms :wall-offset-ms ms}, or :unreachable."
  [test node]
  (or (parse-clock-reply (:ok (admin/try-command test node "CLOCK"))) :unreachable))

(defn clock-states
  "Returns every node's clock, a sorted map node -> clock-state."
  [test]
  (into (sorted-map) (util/on-nodes! test clock-state)))

(defn- targets-now
  "Resolves a clock target: :leader, :minority, :one, :all, :followers (every node but the one
  that believes it leads), or :followers-minority (a minority of those)."
  [test target]
  (case target
    :followers
    (let [leader (set (nemesis/select-nodes test :leader))]
      (vec (remove leader (:nodes test))))
    :followers-minority
    (let [leader (set (nemesis/select-nodes test :leader))
          others (shuffle (remove leader (:nodes test)))]
      (vec (take (quot (dec (count (:nodes test))) 2) others)))
    (nemesis/select-nodes test target)))

(defn- on-nodes [test nodes & words]
  (into (sorted-map)
        (util/on-nodes! test nodes (fn [test node]
                                     (let [{:keys [ok error]} (apply admin/try-command test node words)]
                                       (or ok (str "error: " error)))))))

(defn- strobe! [test nodes {:keys [lo hi period-ms duration-ms]}]
  (let [deadline (+ (System/nanoTime) (* 1000000 (long duration-ms)))]
    (loop [flips 0 fast? true]
      (if (< (System/nanoTime) deadline)
        (do (on-nodes test nodes "CLOCK" "RATE" (if fast? hi lo))
            (Thread/sleep (long period-ms))
            (recur (inc flips) (not fast?)))
        (do (on-nodes test nodes "CLOCK" "RATE" 1.0)
            {:flips flips})))))

(defn apply!
  "Applies one clock fault {:action :rate|:step|:wall-step|:strobe, :target t, ...} (see the
  namespace doc); :nodes, when given, names the nodes instead of :target (the full nemesis resolves
  the target :cut-followers, the followers a composed partition cut from their leader, that way).
  Returns {:nodes [...] :result ... :clocks {...}}."
  [test {:keys [action target rate ms] :as fault}]
  (let [nodes (or (:nodes fault) (targets-now test target))
        result (case action
                 :rate (on-nodes test nodes "CLOCK" "RATE" rate)
                 :step (on-nodes test nodes "CLOCK" "STEP" (long ms))
                 :wall-step (on-nodes test nodes "CLOCK" "WALL-STEP" (long ms))
                 :strobe (strobe! test nodes fault)
                 (throw (ex-info (str "Unknown clock action " action) {:type :bad-target :fault fault})))]
    {:fault fault :nodes nodes :result result :clocks (clock-states test)}))

(defn reset-all!
  "Rate 1 and the wall clock back on every node. Returns {:result ... :clocks {...}}."
  [test]
  {:result (on-nodes test (:nodes test) "CLOCK" "RESET") :clocks (clock-states test)})

(defn within-bound-targets
  "Clock faults inside the assumption of drift bound rho: leader or any minority at a rate in
  [1-rho, 1+rho]; a minority of followers may also run fast (2x or 1+rho, whichever is more);
  forward steps of the leader (its lease only gets shorter) or of a follower minority (a minority
  cannot elect alone); strobes between 1-rho and 1+rho; wall-clock steps either way of the leader,
  a minority or every node (no wall step is outside the assumption: nothing may read wall time)."
  [rho]
  (let [lo (- 1.0 rho) hi (+ 1.0 rho)
        fast (max 2.0 hi)]
    [{:action :rate :target :leader :rate lo}
     {:action :rate :target :leader :rate hi}
     {:action :rate :target :leader :rate fast}
     {:action :rate :target :minority :rate lo}
     {:action :rate :target :minority :rate hi}
     {:action :rate :target :followers-minority :rate fast}
     {:action :step :target :leader :ms 500}
     {:action :step :target :followers-minority :ms 2000}
     {:action :strobe :target :leader :lo lo :hi hi :period-ms 50 :duration-ms 3000}
     {:action :strobe :target :minority :lo lo :hi hi :period-ms 50 :duration-ms 3000}
     {:action :wall-step :target :leader :ms -30000}
     {:action :wall-step :target :leader :ms 30000}
     {:action :wall-step :target :minority :ms -30000}
     {:action :wall-step :target :all :ms -600000}]))

(def wall-step-targets
  "Wall-clock steps for the clock-wall schedule: the leader back (a lease measured on wall time
  would outlive its real length by the step), the followers forward (election timers measured on
  wall time would fire at once), both ways at once."
  [[{:action :wall-step :target :leader :ms -10000}]
   [{:action :wall-step :target :leader :ms -60000} {:action :wall-step :target :followers :ms 60000}]
   [{:action :wall-step :target :followers :ms 10000}]
   [{:action :wall-step :target :leader :ms 5000}]])

(defn beyond-bound-targets
  "Clock faults outside the assumption of drift bound rho: the leader's clock far slower than
  1-rho (its lease lasts 1/rate times longer in real time than the bound allows for)."
  [rho]
  (let [r (max 0.05 (/ (- 1.0 rho) 4.0))]
    [{:action :rate :target :leader :rate r}]))

(defn describe
  "A short text for the progress line."
  [{:keys [action target rate ms lo hi]}]
  (case action
    :rate (str (name target) " x" rate)
    :step (str (name target) " +" ms "ms")
    :wall-step (str (name target) " wall " (if (neg? ms) "" "+") ms "ms")
    :strobe (str (name target) " strobe " lo "-" hi)
    (str action)))
