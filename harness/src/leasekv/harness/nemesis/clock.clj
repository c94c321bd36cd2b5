(ns leasekv.harness.nemesis.clock
  "Clock faults through the store's test hook (ADMIN CLOCK, nodes started with --test-hooks): the
  node's lease and tick clock is monotonic (System.nanoTime behind an adjustable rate and forward
  offset), so the faults are the ones a monotonic clock can suffer:
    rate    the clock runs r times as fast from now on (a slow or fast oscillator);
    step    the clock jumps forward by ms (a monotonic clock never goes back: a backward jump is
            modelled as a slow rate for a while, which strobe does);
    strobe  the rate flips between lo and hi every period-ms for duration-ms, then returns to 1;
    reset   rate 1 on every node (steps already taken stay).
  Jepsen's clock nemesis sets CLOCK_REALTIME, which a nanoTime lease never reads; this one reaches
  the clock the lease is measured on.

  The lease is safe only while clocks stay within the drift bound rho (--clock-drift-bound) the
  nodes were started with: a leader clock at rate r stretches its lease in real time by 1/r, so a
  leader rate below 1-rho is outside the assumption. A fast clock on a minority cannot elect a new
  leader early, since a majority that still waits must vote. `within-bound-targets` draws only
  faults inside the assumption for a given rho; `beyond-bound-targets` the ones outside it (the
  lease is then expected to break: that is the assumption, not a bug).

  Every clock op's completion carries :clocks, the state of every node's clock after it:
  {node {:rate r :offset-ms ms}} or {node :unreachable}."
  (:require [clojure.string :as str]
            [leasekv.harness.nemesis :as nemesis]
            [leasekv.harness.nemesis.admin :as admin]
            [leasekv.harness.util :as util]))

(defn- parse-number [x]
  (cond (number? x) x
        (string? x) (or (parse-double (str/trim x)) x)
        :else x))

(defn clock-state
  "Returns node's clock {:rate r :offset-ms ms}, or :unreachable."
  [test node]
  (let [{:keys [ok]} (admin/try-command test node "CLOCK")]
    (if (and (sequential? ok) (= 3 (count ok)))
      (let [[rate offset _now] ok]
        {:rate (parse-number rate) :offset-ms (/ (double (parse-number offset)) 1e6)})
      :unreachable)))

(defn clock-states
  "Returns every node's clock, a sorted map node -> clock-state."
  [test]
  (into (sorted-map) (util/on-nodes! test clock-state)))

(defn- targets-now
  "Resolves a clock target: :leader, :minority, :one, :all, or :followers-minority (a minority
  that does not include the node that believes it leads)."
  [test target]
  (case target
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
  "Applies one clock fault {:action :rate|:step|:strobe, :target t, ...} (see the namespace doc).
  Returns {:nodes [...] :result ... :clocks {...}}."
  [test {:keys [action target rate ms] :as fault}]
  (let [nodes (targets-now test target)
        result (case action
                 :rate (on-nodes test nodes "CLOCK" "RATE" rate)
                 :step (on-nodes test nodes "CLOCK" "STEP" (long ms))
                 :strobe (strobe! test nodes fault)
                 (throw (ex-info (str "Unknown clock action " action) {:type :bad-target :fault fault})))]
    {:fault fault :nodes nodes :result result :clocks (clock-states test)}))

(defn reset-all!
  "Rate 1 on every node. Returns {:result ... :clocks {...}}."
  [test]
  {:result (on-nodes test (:nodes test) "CLOCK" "RESET") :clocks (clock-states test)})

(defn within-bound-targets
  "Clock faults inside the assumption of drift bound rho: leader or any minority at a rate in
  [1-rho, 1+rho]; a minority of followers may also run fast (2x or 1+rho, whichever is more);
  forward steps of the leader (its lease only gets shorter) or of a follower minority (a minority
  cannot elect alone); strobes between 1-rho and 1+rho."
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
     {:action :strobe :target :minority :lo lo :hi hi :period-ms 50 :duration-ms 3000}]))

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
    :strobe (str (name target) " strobe " lo "-" hi)
    (str action)))
