package leasekv.checker.gen;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import leasekv.checker.Op;
import leasekv.checker.OpType;

/**
 * Generates concurrent histories from a real sequential execution, so they are linearizable by
 * construction: every op gets an invocation time, a completion time and a linearization point strictly
 * between them; the ops are applied to the object in linearization-point order to find their results;
 * then invocations and completions are emitted in time order.
 *
 * <p>A fraction of ops crash ({@code :info}): each such op took effect or not with equal chance, and its
 * process is retired and replaced by a fresh process id, as in Jepsen. The object semantics here are
 * written independently of the checker's models, so generated histories also cross-check the models.
 */
public final class HistoryGenerator {
    private HistoryGenerator() {
    }

    /** Emits ops in history order, with {@code :index} and {@code :time}. */
    public static void generate(GeneratorSpec spec, Consumer<Op> sink) {
        SplittableRandom random = new SplittableRandom(spec.seed());
        List<TimedEvent> events = new ArrayList<>();
        ProcessIds processIds = new ProcessIds();
        for (int key = 0; key < spec.keys(); key++) {
            generateKey(spec, key, random.split(), processIds, events);
        }
        events.sort(null);
        long index = 0;
        for (TimedEvent event : events) {
            sink.accept(event.op(index++));
        }
    }

    public static List<Op> generate(GeneratorSpec spec) {
        List<Op> ops = new ArrayList<>();
        generate(spec, ops::add);
        return ops;
    }

    /** Hands out process ids: each key's threads start with their own, and a crash brings a fresh one. */
    private static final class ProcessIds {
        private long next;

        long fresh() {
            return next++;
        }
    }

    private static void generateKey(GeneratorSpec spec, int key, SplittableRandom random, ProcessIds processIds,
            List<TimedEvent> events) {
        List<PlannedOp> planned = new ArrayList<>(spec.opsPerKey());
        long[] threadClock = new long[spec.processesPerKey()];
        long[] threadProcess = new long[spec.processesPerKey()];
        for (int thread = 0; thread < threadProcess.length; thread++) {
            threadProcess[thread] = processIds.fresh();
        }
        Semantics semantics = Semantics.of(spec.workload(), spec.valueRange());
        for (int i = 0; i < spec.opsPerKey(); i++) {
            int thread = random.nextInt(threadClock.length);
            long invoke = threadClock[thread] + 1 + random.nextLong(spec.maxGapMicros());
            long complete = invoke + 2 + random.nextLong(spec.maxLatencyMicros());
            long point = invoke + 1 + random.nextLong(complete - invoke - 1);
            boolean crashed = random.nextDouble() < spec.infoRate();
            boolean tookEffect = !crashed || random.nextBoolean();
            boolean neverCompletes = crashed && random.nextDouble() < spec.neverCompleteRate();
            planned.add(new PlannedOp(threadProcess[thread], semantics.nextInvocation(random), invoke, point, complete,
                    crashed, tookEffect, neverCompletes));
            threadClock[thread] = complete;
            if (crashed) {
                threadProcess[thread] = processIds.fresh();
            }
        }
        planned.sort((a, b) -> Long.compare(a.point, b.point));
        Object state = semantics.initialState();
        for (PlannedOp op : planned) {
            if (op.tookEffect) {
                Semantics.Result result = semantics.apply(state, op.invocation, random);
                state = result.state();
                op.result = result;
            }
        }
        for (PlannedOp op : planned) {
            emit(spec, key, op, events);
        }
    }

    private static void emit(GeneratorSpec spec, int key, PlannedOp op, List<TimedEvent> events) {
        Semantics.Invocation invocation = op.invocation;
        Object keyOrNull = spec.independent() ? (Object) (long) key : null;
        events.add(new TimedEvent(op.invoke, key, op.process, OpType.INVOKE, invocation.f(),
                wrap(keyOrNull, invocation.value())));
        if (op.neverCompletes) {
            return;
        }
        if (op.crashed) {
            events.add(new TimedEvent(op.complete, key, op.process, OpType.INFO, invocation.f(),
                    wrap(keyOrNull, invocation.value())));
            return;
        }
        OpType type = op.result.ok() ? OpType.OK : OpType.FAIL;
        Object value = op.result.ok() ? op.result.value() : invocation.value();
        events.add(new TimedEvent(op.complete, key, op.process, type, invocation.f(), wrap(keyOrNull, value)));
    }

    private static Object wrap(Object key, Object value) {
        return key == null ? value : java.util.Arrays.asList(key, value);
    }

    /** One op as planned: who, what, and when it was invoked, took effect and completed (microseconds). */
    private static final class PlannedOp {
        final long process;
        final Semantics.Invocation invocation;
        final long invoke;
        final long point;
        final long complete;
        final boolean crashed;
        final boolean tookEffect;
        final boolean neverCompletes;
        Semantics.Result result;

        PlannedOp(long process, Semantics.Invocation invocation, long invoke, long point, long complete,
                boolean crashed, boolean tookEffect, boolean neverCompletes) {
            this.process = process;
            this.invocation = invocation;
            this.invoke = invoke;
            this.point = point;
            this.complete = complete;
            this.crashed = crashed;
            this.tookEffect = tookEffect;
            this.neverCompletes = neverCompletes;
        }
    }

    /** An invocation or completion at a time; sorts by time, then key, then invocations before completions. */
    private record TimedEvent(long timeMicros, int key, long process, OpType type, String f, Object value)
            implements Comparable<TimedEvent> {
        @Override
        public int compareTo(TimedEvent other) {
            int byTime = Long.compare(timeMicros, other.timeMicros);
            if (byTime != 0) {
                return byTime;
            }
            int byKey = Integer.compare(key, other.key);
            return byKey != 0 ? byKey : Boolean.compare(type != OpType.INVOKE, other.type != OpType.INVOKE);
        }

        Op op(long index) {
            return new Op(process, type, f, value, index, timeMicros * 1000, (Map<String, Object>) null);
        }
    }
}
