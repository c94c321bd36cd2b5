package leasekv.checker.gen;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import leasekv.checker.Op;
import leasekv.checker.OpType;
import leasekv.checker.edn.Keyword;

/**
 * Generates register histories shaped like Jepsen runs with kills and power loss ({@link CrashHistorySpec}),
 * linearizable by construction: each op gets an invocation, a completion and a linearization point strictly
 * between them (a crashed op: between its invocation and its {@code :info}); the register is run in the
 * order of the points to find what each op returned.
 *
 * <p>Each key has its own processes; a process invokes its next op a pause after its last one completed,
 * and a process whose op crashed is retired and replaced by a fresh process id, as in Jepsen. Written values
 * are unique per key (1, 2, 3, ...), so a read names the one op that wrote what it saw. A cas expects the
 * current value with the spec's match rate, else the value before it (and fails, {@code :fail}).
 */
public final class CrashHistoryGenerator {
    private static final Keyword TIMEOUT = Keyword.of("timeout");
    private static final Map<String, Object> TIMED_OUT = Map.of("error", TIMEOUT);

    private CrashHistoryGenerator() {
    }

    /** Where a mutated history stops being linearizable: the changed read's completion, and why. */
    public record Mutated(long readIndex, String description) {
    }

    /** A generated history and, if it was mutated, the mutation (else null). */
    public record Generated(List<Op> ops, Mutated mutated) {
    }

    public static List<Op> generate(CrashHistorySpec spec) {
        return generate(spec, null, 0).ops();
    }

    /**
     * @param mutation a change that makes the history not linearizable, or null
     * @param at how far into the mutated key's calls (0..1) the changed read is
     * @throws IllegalStateException if no read there fits the mutation
     */
    public static Generated generate(CrashHistorySpec spec, HistoryMutation mutation, double at) {
        List<Op> ops = new ArrayList<>();
        Mutated mutated = generate(spec, mutation, at, ops::add);
        return new Generated(ops, mutated);
    }

    /** Streams the ops in history order to {@code sink}; returns the mutation (or null). */
    public static Mutated generate(CrashHistorySpec spec, HistoryMutation mutation, double at, Consumer<Op> sink) {
        SplittableRandom random = new SplittableRandom(spec.seed());
        long[] nextProcess = {0};
        List<PlannedCall> all = new ArrayList<>(spec.keys() * spec.invocationsPerKey());
        HistoryMutation.Site site = null;
        long mutatedKey = spec.keys() / 2;
        for (long key = 0; key < spec.keys(); key++) {
            List<PlannedCall> calls = planKey(spec, key, random.split(), nextProcess);
            if (mutation != null && key == mutatedKey) {
                site = mutation.apply(calls, at);
                if (site == null) {
                    throw new IllegalStateException("no read in key " + key + " fits a " + mutation.label()
                            + " mutation at " + at + "; try another seed or position");
                }
            }
            all.addAll(calls);
        }
        emit(all, sink);
        if (site == null) {
            return null;
        }
        long index = site.read().completionIndex;
        return new Mutated(index, mutation.label() + " of key " + mutatedKey + " at op index " + index
                + ": the read returned " + site.originalValue() + ", now " + site.newValue() + "; " + site.why());
    }

    private static List<PlannedCall> planKey(CrashHistorySpec spec, long key, SplittableRandom random, long[] nextProcess) {
        int processes = spec.minProcessesPerKey() + random.nextInt(spec.maxProcessesPerKey() - spec.minProcessesPerKey() + 1);
        long[] freeAt = new long[processes];
        long[] processOf = new long[processes];
        PriorityQueue<Integer> idle = new PriorityQueue<>(Comparator.comparingLong((Integer s) -> freeAt[s]));
        for (int slot = 0; slot < processes; slot++) {
            freeAt[slot] = random.nextLong(1 + 1000 * (spec.meanGapMicros() + spec.meanLatencyMicros()));
            processOf[slot] = nextProcess[0]++;
            idle.add(slot);
        }
        List<PlannedCall> calls = new ArrayList<>(spec.invocationsPerKey());
        // Only updates crash: a read that times out changed nothing and is recorded :fail, as the harness does.
        double updateCrashRate = Math.min(1, spec.crashRate() / Math.max(1e-9, 1 - spec.readFraction()));
        for (int i = 0; i < spec.invocationsPerKey(); i++) {
            int slot = idle.poll();
            long invoke = freeAt[slot] + 1 + exponentialNanos(random, spec.meanGapMicros());
            PlannedCall.Kind kind = kind(spec, random);
            boolean crashed = kind != PlannedCall.Kind.READ && random.nextDouble() < updateCrashRate;
            long complete = invoke + (crashed ? 1000 * spec.timeoutMicros() : 2 + exponentialNanos(random, spec.meanLatencyMicros()));
            long point = invoke + 1 + random.nextLong(complete - invoke - 1);
            boolean tookEffect = !crashed || random.nextDouble() < spec.crashEffectRate();
            calls.add(new PlannedCall(key, processOf[slot], invoke, point, complete, crashed, tookEffect, kind));
            freeAt[slot] = complete;
            if (crashed) {
                processOf[slot] = nextProcess[0]++;
            }
            idle.add(slot);
        }
        runInPointOrder(spec, calls, random);
        return calls;
    }

    private static long exponentialNanos(SplittableRandom random, long meanMicros) {
        return (long) (-Math.log(1 - random.nextDouble()) * meanMicros * 1000);
    }

    private static PlannedCall.Kind kind(CrashHistorySpec spec, SplittableRandom random) {
        double draw = random.nextDouble();
        return draw < spec.readFraction() ? PlannedCall.Kind.READ
                : draw < spec.readFraction() + spec.writeFraction() ? PlannedCall.Kind.WRITE : PlannedCall.Kind.CAS;
    }

    /**
     * Runs the register in linearization-point order and fills in each op's values. The op that takes effect
     * right after a crashed op that changed the register becomes a read (with the spec's rate), so crashed
     * values are observed as often as the spec says.
     */
    private static void runInPointOrder(CrashHistorySpec spec, List<PlannedCall> calls, SplittableRandom random) {
        List<PlannedCall> byPoint = new ArrayList<>(calls);
        byPoint.sort(Comparator.comparingLong(c -> c.pointNanos));
        Long value = null;
        Long previous = null;
        long nextValue = 1;
        boolean observeNext = false;
        for (PlannedCall call : byPoint) {
            if (call.tookEffect && !call.crashed && observeNext) {
                call.kind = PlannedCall.Kind.READ;
            }
            if (call.tookEffect) {
                observeNext = false;
                call.valueBefore = value;
            }
            switch (call.kind) {
                case READ:
                    call.readResult = value;
                    break;
                case WRITE:
                    call.invocationValue = nextValue++;
                    break;
                default: {
                    boolean match = value != null && random.nextDouble() < spec.casMatchRate();
                    Long stale = previous != null && !previous.equals(value) ? previous : Long.valueOf(0);
                    call.invocationValue = PlannedCall.cas(match ? value : stale, nextValue++);
                    call.swapped = call.tookEffect && match;
                }
            }
            Long written = call.tookEffect ? call.writtenValue() : null;
            if (written != null) {
                previous = value;
                value = written;
                observeNext = call.crashed && random.nextDouble() < spec.readAfterCrashRate();
            }
        }
    }

    /** One invocation or completion; sorts by time, then key, then invocations before completions. */
    private record Event(long timeNanos, PlannedCall call, boolean completion) {
    }

    private static void emit(List<PlannedCall> calls, Consumer<Op> sink) {
        Event[] events = new Event[calls.size() * 2];
        int n = 0;
        for (PlannedCall call : calls) {
            events[n++] = new Event(call.invokeNanos, call, false);
            events[n++] = new Event(call.completeNanos, call, true);
        }
        Arrays.sort(events, Comparator.comparingLong(Event::timeNanos).thenComparingLong(e -> e.call().key)
                .thenComparing(Event::completion));
        long index = 0;
        for (Event event : events) {
            sink.accept(event.completion() ? completion(event.call(), index) : invocation(event.call(), index));
            index++;
        }
    }

    private static Op invocation(PlannedCall call, long index) {
        return new Op(call.process, OpType.INVOKE, call.kind.f, tuple(call.key, call.invocationValue), index,
                call.invokeNanos, null);
    }

    private static Op completion(PlannedCall call, long index) {
        call.completionIndex = index;
        if (call.crashed) {
            return new Op(call.process, OpType.INFO, call.kind.f, tuple(call.key, call.invocationValue), index,
                    call.completeNanos, TIMED_OUT);
        }
        Object value = call.kind == PlannedCall.Kind.READ ? call.readResult : call.invocationValue;
        OpType type = call.isOk() ? OpType.OK : OpType.FAIL;
        return new Op(call.process, type, call.kind.f, tuple(call.key, value), index, call.completeNanos, null);
    }

    private static List<Object> tuple(long key, Object value) {
        return Arrays.asList(key, value);
    }
}
