package leasekv.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import leasekv.checker.edn.Keyword;
import leasekv.checker.model.Call;
import leasekv.checker.model.Model;

/**
 * A reference checker for small single-key histories, sharing nothing with the real search but the model:
 * it pairs ops itself and tries every order that respects real time, with no memoization. Exponential, so
 * only for a dozen calls or so.
 */
final class BruteForceChecker {
    private final Model model;
    private final List<Call> calls = new ArrayList<>();
    private final List<Integer> returns = new ArrayList<>();

    private BruteForceChecker(Model model, List<Op> history) {
        this.model = model;
        Map<Long, Integer> pendingInvokePositions = new HashMap<>();
        Map<Long, Op> pendingInvokes = new HashMap<>();
        for (int position = 0; position < history.size(); position++) {
            Op op = history.get(position);
            if (op.isNemesis()) {
                continue;
            }
            if (op.type() == OpType.INVOKE) {
                pendingInvokes.put(op.process(), op);
                pendingInvokePositions.put(op.process(), position);
                continue;
            }
            Op invoke = pendingInvokes.remove(op.process());
            int invokePosition = pendingInvokePositions.remove(op.process());
            if (op.type() == OpType.OK) {
                add(invoke, op, op.value(), invokePosition, position);
            } else if (op.type() == OpType.INFO) {
                add(invoke, op, invoke.value(), invokePosition, Integer.MAX_VALUE);
            }
        }
        for (Map.Entry<Long, Op> open : pendingInvokes.entrySet()) {
            add(open.getValue(), null, open.getValue().value(), pendingInvokePositions.get(open.getKey()), Integer.MAX_VALUE);
        }
    }

    private void add(Op invoke, Op completion, Object value, int invokePosition, int returnPosition) {
        boolean known = returnPosition != Integer.MAX_VALUE;
        calls.add(new Call(calls.size(), Keyword.of(invoke.f()), value, invoke, completion, invokePosition,
                known ? returnPosition : -1));
        returns.add(returnPosition);
    }

    static boolean isLinearizable(Model model, List<Op> history) {
        BruteForceChecker checker = new BruteForceChecker(model, history);
        return checker.search(model.initialState(), new boolean[checker.calls.size()]);
    }

    /** True if the calls not yet done can all be ordered, those of unknown outcome being optional. */
    private boolean search(Object state, boolean[] done) {
        int earliestReturn = Integer.MAX_VALUE;
        boolean definiteLeft = false;
        for (int i = 0; i < calls.size(); i++) {
            if (!done[i] && calls.get(i).outcomeKnown()) {
                definiteLeft = true;
                earliestReturn = Math.min(earliestReturn, returns.get(i));
            }
        }
        if (!definiteLeft) {
            return true;
        }
        for (int i = 0; i < calls.size(); i++) {
            if (done[i] || calls.get(i).invokePosition() > earliestReturn) {
                continue;
            }
            for (Object next : successors(state, calls.get(i))) {
                done[i] = true;
                boolean found = search(next, done);
                done[i] = false;
                if (found) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<Object> successors(Object state, Call call) {
        Object result = model.step(state, call);
        if (result == Model.INCONSISTENT) {
            return List.of();
        }
        if (result instanceof Model.Choices) {
            return ((Model.Choices) result).states();
        }
        List<Object> one = new ArrayList<>(1);
        one.add(result);
        return one;
    }
}
