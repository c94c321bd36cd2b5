(ns leasekv.harness.generator
  "Pure generators of operations, with Jepsen's vocabulary.

  A generator is an immutable value. The interpreter asks it for the next operation with
  (op gen test ctx), which returns
    nil         the generator is exhausted;
    :pending    nothing can be emitted now (every eligible thread is busy), ask again later;
    [op gen']   the operation, and the generator that follows it.
  The operation carries :process and :time (nanoseconds since the test started); the interpreter
  waits until :time before running it. After every invocation and every completion the
  interpreter calls (update gen test ctx event) and continues with the generator it returns.

  The context ctx is a map:
    :time          now, in nanoseconds since the test started;
    :threads       every thread in this context, in order (client threads 0..n-1, and :nemesis);
    :free-threads  the set of threads that are idle now;
    :workers       thread -> the process that thread currently runs (a client thread's process
                   grows by :concurrency each time an op of it ends :info);
    :concurrency   the number of client threads.

  Built-in generators: nil (nothing), a map (one operation, filled with :type :invoke, :process
  and :time unless given), a function (called as (f) or (f test ctx) each time; returns a
  generator, usually a map, or nil to end), and a sequence (each generator in turn). Durations
  given to the combinators below are in seconds."
  (:refer-clojure :exclude [delay update repeat]))

(defprotocol Generator
  (op [gen test ctx] "Returns nil, :pending, or [op gen']; see the namespace doc.")
  (update [gen test ctx event] "Returns the generator after event, an invocation or completion."))

;; ---------------------------------------------------------------------------------------------
;; Context helpers

(defn context
  "Takes the number of client threads. Returns a fresh context at time 0 with every thread free;
  thread i runs process i, the nemesis thread runs process :nemesis."
  [concurrency]
  (let [threads (conj (vec (range concurrency)) :nemesis)]
    {:time 0
     :threads threads
     :free-threads (set threads)
     :workers (zipmap threads threads)
     :concurrency concurrency}))

(defn process->thread
  "Returns the thread that runs process in ctx."
  [ctx process]
  (if (integer? process) (mod process (:concurrency ctx)) process))

(defn free-processes
  "Returns the processes of ctx's free threads, in thread order."
  [ctx]
  (let [free (:free-threads ctx)]
    (for [t (:threads ctx) :when (contains? free t)] (get (:workers ctx) t))))

(defn restrict
  "Returns ctx seen by a generator that may only use threads satisfying pred."
  [ctx pred]
  (let [threads (filterv pred (:threads ctx))
        keep? (set threads)]
    (assoc ctx
           :threads threads
           :free-threads (into #{} (filter keep?) (:free-threads ctx))
           :workers (select-keys (:workers ctx) threads))))

(defn- event-thread [ctx event] (process->thread ctx (:process event)))

(defn- fill-in
  "Completes a map op with :type, :process and :time from ctx, or returns nil when the process it
  needs is busy."
  [m ctx]
  (let [procs (free-processes ctx)]
    (if-let [p (:process m)]
      (when (some #{p} procs)
        (merge {:type :invoke :time (:time ctx)} m))
      (when (seq procs)
        (merge {:type :invoke :process (rand-nth (vec procs)) :time (:time ctx)} m)))))

(defn- call-fn [f test ctx]
  (try (f test ctx)
       (catch clojure.lang.ArityException _ (f))))

(defn soonest
  "Takes two results of op. Returns the one that should run first: an op beats :pending and nil,
  an earlier :time beats a later one, :pending beats nil."
  [a b]
  (cond
    (nil? a) b
    (nil? b) a
    (= :pending a) b
    (= :pending b) a
    (<= (:time (first a)) (:time (first b))) a
    :else b))

(defn- pick-soonest
  "Takes [key result] pairs. Returns the pair whose result is soonest, or nil for none."
  [pairs]
  (reduce (fn [a b] (if (or (nil? a) (not= (second a) (soonest (second a) (second b)))) b a))
          nil pairs))

(extend-protocol Generator
  nil
  (op [_ _ _] nil)
  (update [_ _ _ _] nil)

  clojure.lang.APersistentMap
  (op [m _ ctx]
    (if-let [o (fill-in m ctx)] [o nil] :pending))
  (update [m _ _ _] m)

  clojure.lang.AFunction
  (op [f test ctx]
    (when-let [g (call-fn f test ctx)]
      (let [r (op g test ctx)]
        (cond (nil? r) nil
              (= :pending r) :pending
              :else [(first r) f]))))
  (update [f _ _ _] f)

  clojure.lang.Seqable
  (op [s test ctx]
    (loop [s (seq s)]
      (when s
        (let [r (op (first s) test ctx)]
          (cond (nil? r) (recur (next s))
                (= :pending r) :pending
                :else (let [[o g'] r] [o (cons g' (next s))]))))))
  (update [s test ctx event]
    (when-let [s (seq s)]
      (cons (update (first s) test ctx event) (next s)))))

;; ---------------------------------------------------------------------------------------------
;; Counting

(defrecord Limit [remaining gen]
  Generator
  (op [_ test ctx]
    (when (pos? remaining)
      (let [r (op gen test ctx)]
        (if (or (nil? r) (= :pending r)) r
            [(first r) (->Limit (dec remaining) (second r))]))))
  (update [_ test ctx event] (->Limit remaining (update gen test ctx event))))

(defn limit "Emits at most n operations of gen." [n gen] (->Limit n gen))
(defn once "Emits at most one operation of gen." [gen] (limit 1 gen))

(defrecord Repeat [remaining gen]
  Generator
  (op [_ test ctx]
    (when-not (zero? remaining)
      (let [r (op gen test ctx)]
        (if (or (nil? r) (= :pending r)) r
            [(first r) (->Repeat (dec remaining) gen)]))))
  (update [this _ _ _] this))

(defn repeat
  "Emits the first operation of gen again and again: forever, or n times."
  ([gen] (->Repeat -1 gen))
  ([n gen] (->Repeat n gen)))

;; ---------------------------------------------------------------------------------------------
;; Time

(defrecord TimeLimit [limit-nanos cutoff gen]
  Generator
  (op [_ test ctx]
    (when-not (and cutoff (>= (:time ctx) cutoff))
      (let [r (op gen test ctx)]
        (cond (or (nil? r) (= :pending r)) r
              :else (let [[o g'] r
                          cutoff (or cutoff (+ (:time o) limit-nanos))]
                      (when (< (:time o) cutoff)
                        [o (->TimeLimit limit-nanos cutoff g')]))))))
  (update [_ test ctx event] (->TimeLimit limit-nanos cutoff (update gen test ctx event))))

(defn time-limit
  "Emits gen's operations until secs have passed since its first operation."
  [secs gen]
  (->TimeLimit (long (* secs 1e9)) nil gen))

(defrecord Spaced [gap-fn next-time gen]
  Generator
  (op [_ test ctx]
    (let [r (op gen test ctx)]
      (if (or (nil? r) (= :pending r)) r
          (let [[o g'] r
                t (max (:time o) (or next-time 0))]
            [(assoc o :time t) (->Spaced gap-fn (+ t (gap-fn)) g')]))))
  (update [_ test ctx event] (->Spaced gap-fn next-time (update gen test ctx event))))

(defn delay
  "Emits gen's operations at least secs apart."
  [secs gen]
  (let [gap (long (* secs 1e9))] (->Spaced (constantly gap) nil gen)))

(defn stagger
  "Emits gen's operations with random gaps, uniform between 0 and 2*secs (so secs on average)."
  [secs gen]
  (let [gap (* 2 secs 1e9)] (->Spaced #(long (rand gap)) nil gen)))

(defn rate
  "Limits gen to about hz operations per second in total, with random (staggered) gaps."
  [hz gen]
  (if (and hz (pos? hz)) (stagger (/ 1.0 hz) gen) gen))

(defn sleep
  "An operation that keeps the thread that takes it busy for secs, and is not recorded."
  [secs]
  {:type :sleep :value secs})

(defn log
  "An operation that writes msg to the harness log, and is not recorded."
  [msg]
  {:type :log :value msg})

;; ---------------------------------------------------------------------------------------------
;; Choice and combination

(defrecord Mix [i gens]
  Generator
  (op [_ test ctx]
    (when (seq gens)
      (let [r (op (nth gens i) test ctx)]
        (cond
          (nil? r) (let [gens (into (subvec gens 0 i) (subvec gens (inc i)))]
                     (op (->Mix (if (seq gens) (rand-int (count gens)) 0) gens) test ctx))
          (= :pending r) :pending
          :else [(first r) (->Mix (rand-int (count gens)) (assoc gens i (second r)))]))))
  (update [_ test ctx event] (->Mix i (mapv #(update % test ctx event) gens))))

(defn mix
  "Emits an operation of a randomly chosen generator each time, until all are exhausted."
  [gens]
  (let [gens (vec gens)] (->Mix (if (seq gens) (rand-int (count gens)) 0) gens)))

(defrecord Any [gens]
  Generator
  (op [_ test ctx]
    (let [results (map-indexed (fn [i g] [i (op g test ctx)]) gens)]
      (if-let [[i [o g']] (pick-soonest (filter #(vector? (second %)) results))]
        [o (->Any (assoc gens i g'))]
        (when (some #(= :pending (second %)) results) :pending))))
  (update [_ test ctx event] (->Any (mapv #(update % test ctx event) gens))))

(defn any
  "Runs all generators side by side, emitting whichever operation is due first."
  [& gens]
  (->Any (vec gens)))

(defrecord OnThreads [pred gen]
  Generator
  (op [_ test ctx]
    (let [r (op gen test (restrict ctx pred))]
      (if (or (nil? r) (= :pending r)) r [(first r) (->OnThreads pred (second r))])))
  (update [this test ctx event]
    (if (pred (event-thread ctx event))
      (->OnThreads pred (update gen test (restrict ctx pred) event))
      this)))

(defn on-threads "Runs gen only on threads satisfying pred." [pred gen] (->OnThreads pred gen))
(defn clients "Runs gen only on client threads." [gen] (on-threads integer? gen))

(defn nemesis
  "With one argument, runs gen only on the nemesis thread. With two, runs the nemesis generator
  on the nemesis thread and the client generator on client threads, side by side."
  ([gen] (on-threads #{:nemesis} gen))
  ([nemesis-gen client-gen] (any (nemesis nemesis-gen) (clients client-gen))))

(defrecord Synchronize [started? gen]
  Generator
  (op [this test ctx]
    (if (or started? (= (count (:free-threads ctx)) (count (:threads ctx))))
      (let [r (op gen test ctx)]
        (if (or (nil? r) (= :pending r)) r [(first r) (->Synchronize true (second r))]))
      :pending))
  (update [_ test ctx event] (->Synchronize started? (update gen test ctx event))))

(defn synchronize
  "Waits until every thread in the context is idle, then runs gen."
  [gen]
  (->Synchronize false gen))

(defn phases
  "Runs each generator in turn, waiting for all threads to be idle before starting the next."
  [& gens]
  (map synchronize gens))

(defn then
  "Runs b, waits for every thread to be idle, then runs a. (Arguments read backwards so that
  (->> gen (then final)) reads in order.)"
  [a b]
  [b (synchronize a)])

(defrecord FlipFlop [gens i]
  Generator
  (op [_ test ctx]
    (let [r (op (nth gens i) test ctx)]
      (if (or (nil? r) (= :pending r)) r
          [(first r) (->FlipFlop (assoc gens i (second r)) (mod (inc i) (count gens)))])))
  (update [_ test ctx event] (->FlipFlop (mapv #(update % test ctx event) gens) i)))

(defn flip-flop
  "Alternates between the operations of a and b, ending when the next one to ask is exhausted."
  [a b]
  (->FlipFlop [a b] 0))

(defrecord EachThread [fresh per-thread]
  Generator
  (op [_ test ctx]
    (let [results (for [t (:threads ctx)]
                    [t (op (get per-thread t fresh) test (restrict ctx #{t}))])
          emitting (filter #(vector? (second %)) results)]
      (if-let [[t [o g']] (pick-soonest emitting)]
        [o (->EachThread fresh (assoc per-thread t g'))]
        (when (some #(= :pending (second %)) results) :pending))))
  (update [this test ctx event]
    (let [t (event-thread ctx event)]
      (if (some #{t} (:threads ctx))
        (->EachThread fresh (assoc per-thread t (update (get per-thread t fresh) test
                                                        (restrict ctx #{t}) event)))
        this))))

(defn each-thread
  "Gives every thread its own copy of gen; ends when every copy is exhausted."
  [gen]
  (->EachThread gen {}))

(defn reserve
  "Takes counts and generators, then a default generator: (reserve 5 writes 10 cas reads).
  The first 5 client threads run writes, the next 10 cas, the remaining client threads reads."
  [& args]
  (let [pairs (partition 2 (butlast args))
        default (last args)
        bounds (reductions + 0 (map first pairs))
        ranged (map (fn [[_ gen] lo hi] (on-threads #(and (integer? %) (<= lo %) (< % hi)) gen))
                    pairs bounds (rest bounds))
        total (last bounds)]
    (apply any (concat ranged [(on-threads #(and (integer? %) (>= % total)) default)]))))

(defrecord UntilOk [done? gen]
  Generator
  (op [_ test ctx]
    (when-not done?
      (let [r (op gen test ctx)]
        (if (or (nil? r) (= :pending r)) r [(first r) (->UntilOk false (second r))]))))
  (update [_ test ctx event]
    (->UntilOk (or done? (= :ok (:type event))) (update gen test ctx event))))

(defn until-ok
  "Emits gen's operations until one of them completes :ok."
  [gen]
  (->UntilOk false gen))

;; ---------------------------------------------------------------------------------------------
;; Bookkeeping shared by the interpreter and the simulator

(defn on-invoke
  "Returns ctx after the thread of op's process started running op."
  [ctx op]
  (update-in ctx [:free-threads] disj (process->thread ctx (:process op))))

(defn on-complete
  "Returns ctx after op's process completed it: its thread is free again, and a client process
  whose op ended :info is retired (its thread now runs process + concurrency)."
  [ctx op]
  (let [t (process->thread ctx (:process op))
        ctx (clojure.core/update ctx :free-threads conj t)]
    (if (and (integer? t) (= :info (:type op)))
      (update-in ctx [:workers t] + (:concurrency ctx))
      ctx)))

(defn simulate
  "Runs gen in virtual time without any real clients, for tests and for trying out schedules.
  Takes the generator, and options :concurrency (default 2), :latency-secs (each op completes
  this long after it starts, default 0.001; a :sleep op takes its own value), :complete (fn of
  the invocation returning the completion's :type, default :ok), :max-ops (default 10000).
  Returns every invocation and completion in time order."
  [gen {:keys [concurrency latency-secs complete max-ops]
        :or {concurrency 2 latency-secs 0.001 complete (constantly :ok) max-ops 10000}}]
  (loop [ctx (context concurrency) gen gen in-flight (sorted-set) history []]
    (let [r (op gen {} ctx)
          [first-done] (seq in-flight)]
      (cond
        (>= (count history) (* 2 max-ops)) history
        (and (vector? r) (or (nil? first-done) (<= (:time (first r)) (first first-done))))
        (let [o (clojure.core/update (first r) :time max (:time ctx))
              ctx (on-invoke (assoc ctx :time (:time o)) o)
              gen (update (second r) {} ctx o)
              dur (if (= :sleep (:type o)) (:value o) latency-secs)
              done (+ (:time o) (long (* dur 1e9)))
              c (assoc o :time done :type (if (#{:sleep :log} (:type o)) (:type o) (complete o)))]
          (recur ctx gen (conj in-flight [done (count history) c]) (conj history o)))
        first-done
        (let [[t _ c] first-done
              ctx (on-complete (assoc ctx :time t) c)
              gen (update gen {} ctx c)]
          (recur ctx gen (disj in-flight first-done) (conj history c)))
        (= :pending r) (throw (ex-info "Generator is pending with nothing in flight" {:ctx ctx}))
        :else history))))
