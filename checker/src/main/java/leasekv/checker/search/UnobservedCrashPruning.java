package leasekv.checker.search;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import leasekv.checker.history.KeyHistory;
import leasekv.checker.model.Call;
import leasekv.checker.model.Model;
import leasekv.checker.model.ValueFlow;

/**
 * Drops crashed calls of a register that cannot matter, before the search:
 * <ol>
 *   <li><b>unobserved</b>: a crashed call (write or cas) whose written value no other call requires (no
 *       read returned it, no cas expected it);</li>
 *   <li><b>impossible</b>: a crashed call (a cas) whose required value is not the initial value and is
 *       written by no other call, so it can never take effect.</li>
 * </ol>
 * Dropping one call can make another droppable (a crashed cas {@code [e n]} observes {@code e}; once the cas
 * goes, a crashed write of {@code e} may have no observer left), so this runs until nothing changes.
 *
 * <p><b>Why it is sound.</b> A crashed call {@code c} may or may not have taken effect, so a linearization
 * of the history without {@code c} is one of the history with it ({@code c} did not take effect). Conversely,
 * let {@code L} linearize the history with {@code c} in it. (2): the state before {@code c} in {@code L} is the
 * initial value or the value the last state-changing call before it wrote, and no call other than {@code c}
 * writes {@code c}'s required value, which is not the initial value; so {@code c} cannot be in {@code L}. (1):
 * remove {@code c} from {@code L}. Take the calls after {@code c} up to the next call that requires nothing and
 * writes something (a write, which replaces the state whatever it was). By the {@link ValueFlow} contract each
 * of them either requires a value, which in {@code L} must be {@code c}'s written value (none does, by (1)), or
 * requires nothing and writes nothing (a nil read under Knossos's reading), possible in any state and
 * changing nothing. So only the latter are there, and they stay possible without {@code c}; from the next
 * write on the states are the same as in {@code L}. Removing a call keeps real-time order. So {@code L}
 * without {@code c} linearizes the history without {@code c}. Each drop keeps the history's verdict, so the
 * fixpoint does too.
 */
final class UnobservedCrashPruning {
    /** The history without the dropped calls, and how many of each kind were dropped. */
    record Pruned(KeyHistory history, int unobserved, int impossible) {
    }

    private final List<Call> calls;
    private final ValueFlow flow;
    private final Object initialValue;
    private final Object[] required;
    private final Object[] written;
    private final Map<Object, int[]> requiredCount = new HashMap<>();
    private final Map<Object, int[]> writtenCount = new HashMap<>();
    private final Map<Object, List<Integer>> crashedWriters = new HashMap<>();
    private final Map<Object, List<Integer>> crashedRequirers = new HashMap<>();
    private final boolean[] dropped;
    private final ArrayDeque<Integer> toExamine = new ArrayDeque<>();
    private int unobserved;
    private int impossible;

    private UnobservedCrashPruning(KeyHistory history, ValueFlow flow, Object initialValue) {
        this.calls = history.calls();
        this.flow = flow;
        this.initialValue = initialValue;
        required = new Object[calls.size()];
        written = new Object[calls.size()];
        dropped = new boolean[calls.size()];
        for (int i = 0; i < calls.size(); i++) {
            Call call = calls.get(i);
            required[i] = flow.requiredValue(call);
            written[i] = flow.writtenValue(call);
            count(requiredCount, required[i], 1);
            count(writtenCount, written[i], 1);
            if (!call.outcomeKnown()) {
                index(crashedWriters, written[i], i);
                index(crashedRequirers, required[i], i);
                toExamine.add(i);
            }
        }
    }

    /** The history without the crashed calls that cannot matter; the same history if the model is no register. */
    static Pruned prune(KeyHistory history, Model model) {
        if (!(model instanceof ValueFlow) || !hasCrashedCall(history)) {
            return new Pruned(history, 0, 0);
        }
        UnobservedCrashPruning pruning = new UnobservedCrashPruning(history, (ValueFlow) model, model.initialState());
        pruning.run();
        return new Pruned(history.without(pruning.dropped), pruning.unobserved, pruning.impossible);
    }

    private static boolean hasCrashedCall(KeyHistory history) {
        for (Call call : history.calls()) {
            if (!call.outcomeKnown()) {
                return true;
            }
        }
        return false;
    }

    private void run() {
        while (!toExamine.isEmpty()) {
            int call = toExamine.poll();
            if (dropped[call]) {
                continue;
            }
            if (isUnobserved(call)) {
                unobserved++;
                drop(call);
            } else if (isImpossible(call)) {
                impossible++;
                drop(call);
            }
        }
    }

    private boolean isUnobserved(int call) {
        Object value = written[call];
        return value != ValueFlow.NONE && others(requiredCount, value, required[call]) == 0;
    }

    private boolean isImpossible(int call) {
        Object value = required[call];
        return value != ValueFlow.NONE && !Objects.equals(value, initialValue)
                && others(writtenCount, value, written[call]) == 0;
    }

    /** How many calls other than this one have {@code value} in the counted role. */
    private static int others(Map<Object, int[]> counts, Object value, Object ownValueInThatRole) {
        int[] count = counts.get(value);
        int all = count == null ? 0 : count[0];
        return Objects.equals(value, ownValueInThatRole) ? all - 1 : all;
    }

    private void drop(int call) {
        dropped[call] = true;
        if (required[call] != ValueFlow.NONE && count(requiredCount, required[call], -1) <= 1) {
            toExamine.addAll(crashedWriters.getOrDefault(required[call], List.of()));
        }
        if (written[call] != ValueFlow.NONE && count(writtenCount, written[call], -1) <= 1) {
            toExamine.addAll(crashedRequirers.getOrDefault(written[call], List.of()));
        }
    }

    private static int count(Map<Object, int[]> counts, Object value, int delta) {
        if (value == ValueFlow.NONE) {
            return 0;
        }
        int[] count = counts.computeIfAbsent(value, v -> new int[1]);
        count[0] += delta;
        return count[0];
    }

    private static void index(Map<Object, List<Integer>> calls, Object value, int call) {
        if (value != ValueFlow.NONE) {
            calls.computeIfAbsent(value, v -> new ArrayList<>()).add(call);
        }
    }
}
