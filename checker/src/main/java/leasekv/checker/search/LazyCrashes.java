package leasekv.checker.search;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import leasekv.checker.model.Call;
import leasekv.checker.model.ValueFlow;

/**
 * Lazy linearization of crashed calls on a register ({@link ValueFlow}): the search linearizes a crashed call
 * only right before a call that observes the value it writes, and forgets it ("retires" it) once no call that
 * could observe that value is left.
 *
 * <p><b>Why only right before an observer.</b> Take any linearization {@code L}, and a crashed call {@code c}
 * in it that writes {@code w}. Look at the call right after {@code c}. If it requires a value, it is {@code
 * w}: {@code c} is right before an observer. If it requires nothing and writes something (a write), or there
 * is no next call, nobody saw {@code w}: drop {@code c} from {@code L} (the argument of {@link
 * UnobservedCrashPruning}; a crashed call may always not have taken effect). If it requires nothing and writes
 * nothing (a nil read under Knossos's reading), swap the two: that read is possible in any state, and a
 * crashed call never has to precede anything in real time (it has no return), so the swap keeps {@code L} a
 * linearization. Repeating this (each step removes a call or moves one later past a read, so it ends) gives a
 * linearization in which every crashed call is immediately followed by a call that requires its value. So a
 * search that only considers such orders finds a linearization whenever there is one; and everything it
 * finds is a linearization.
 *
 * <p><b>Why retiring is sound.</b> When every call requiring {@code w} is linearized (or itself retired), a
 * crashed call writing {@code w} can never again be followed by an observer, so it will never be linearized:
 * it is done. The search marks it done in the configuration's bitset. Which calls are retired is a function
 * of which are linearized, and a configuration where {@code c} was linearized has the same future as one where
 * it was retired, so configurations stay exact.
 */
final class LazyCrashes {
    /** Receives the calls to retire and to bring back. */
    interface Retirement {
        void retire(int call);

        void restore(int call);
    }

    private static final int NO_VALUE = -1;

    private final int[] requiredValue;
    private final int[] writtenValue;
    private final boolean[] crashed;
    private final boolean[] done;
    /** Per value id: calls requiring it that are neither linearized nor retired. */
    private final int[] openObservers;
    /** Per value id: the crashed ones among {@link #openObservers}. */
    private final int[] openCrashedObservers;
    /** Per value id: the crashed calls writing it. */
    private final int[][] crashedWriters;
    private final Retirement retirement;
    private int[] retiredStack = new int[64];
    private int retiredCount;

    LazyCrashes(List<Call> calls, ValueFlow flow, Retirement retirement) {
        this.retirement = retirement;
        int n = calls.size();
        requiredValue = new int[n];
        writtenValue = new int[n];
        crashed = new boolean[n];
        done = new boolean[n];
        Map<Object, Integer> ids = new HashMap<>();
        for (int call = 0; call < n; call++) {
            Call c = calls.get(call);
            crashed[call] = !c.outcomeKnown();
            requiredValue[call] = id(ids, flow.requiredValue(c));
            writtenValue[call] = id(ids, flow.writtenValue(c));
        }
        openObservers = new int[ids.size()];
        openCrashedObservers = new int[ids.size()];
        int[] writerCounts = new int[ids.size()];
        for (int call = 0; call < n; call++) {
            reacquire(call);
            if (crashed[call] && writtenValue[call] != NO_VALUE) {
                writerCounts[writtenValue[call]]++;
            }
        }
        crashedWriters = new int[ids.size()][];
        for (int value = 0; value < ids.size(); value++) {
            crashedWriters[value] = new int[writerCounts[value]];
            writerCounts[value] = 0;
        }
        for (int call = 0; call < n; call++) {
            if (crashed[call] && writtenValue[call] != NO_VALUE) {
                int value = writtenValue[call];
                crashedWriters[value][writerCounts[value]++] = call;
            }
        }
    }

    private static int id(Map<Object, Integer> ids, Object value) {
        if (value == ValueFlow.NONE) {
            return NO_VALUE;
        }
        Integer id = ids.get(value);
        if (id == null) {
            id = ids.size();
            ids.put(value, id);
        }
        return id;
    }

    /** Retires the crashed calls nobody observes at all; done once, before the search starts. */
    void retireUnobserved() {
        for (int value = 0; value < openObservers.length; value++) {
            if (openObservers[value] == 0) {
                retireWritersOf(value);
            }
        }
    }

    boolean isCrashed(int call) {
        return crashed[call];
    }

    /** True if the call needs a particular value, so it can follow a crashed call and observe it. */
    boolean observes(int call) {
        return requiredValue[call] != NO_VALUE;
    }

    /**
     * True if a crashed call that is neither linearized nor retired, other than {@code crashedCall}, needs the
     * value {@code crashedCall} writes (wherever it was invoked: an over-estimate of who may come next).
     */
    boolean hasOpenCrashedObserver(int crashedCall) {
        int value = writtenValue[crashedCall];
        if (value == NO_VALUE) {
            return false;
        }
        int self = !done[crashedCall] && requiredValue[crashedCall] == value ? 1 : 0;
        return openCrashedObservers[value] - self > 0;
    }

    /** True if {@code observer} needs the value {@code crashedCall} writes. */
    boolean observesValueOf(int observer, int crashedCall) {
        return observer != crashedCall && writtenValue[crashedCall] != NO_VALUE
                && requiredValue[observer] == writtenValue[crashedCall];
    }

    /** Marks the retirements the next {@link #linearized} makes, for {@link #undo}. */
    int mark() {
        return retiredCount;
    }

    /** Call {@code call} was linearized: it no longer waits to observe; retire what that leaves unobserved. */
    void linearized(int call) {
        done[call] = true;
        release(call);
    }

    /** Undoes the retirements since {@code mark}, then un-linearizes {@code call}. */
    void undo(int call, int mark) {
        while (retiredCount > mark) {
            int retired = retiredStack[--retiredCount];
            done[retired] = false;
            retirement.restore(retired);
            reacquire(retired);
        }
        done[call] = false;
        reacquire(call);
    }

    private void release(int call) {
        int value = requiredValue[call];
        if (value == NO_VALUE) {
            return;
        }
        if (crashed[call]) {
            openCrashedObservers[value]--;
        }
        if (--openObservers[value] == 0) {
            retireWritersOf(value);
        }
    }

    private void reacquire(int call) {
        int value = requiredValue[call];
        if (value != NO_VALUE) {
            openObservers[value]++;
            if (crashed[call]) {
                openCrashedObservers[value]++;
            }
        }
    }

    private void retireWritersOf(int value) {
        for (int writer : crashedWriters[value]) {
            if (!done[writer]) {
                done[writer] = true;
                if (retiredCount == retiredStack.length) {
                    retiredStack = java.util.Arrays.copyOf(retiredStack, retiredCount * 2);
                }
                retiredStack[retiredCount++] = writer;
                retirement.retire(writer);
                release(writer);
            }
        }
    }
}
