package leasekv.checker.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Refutes a register read (or cas) that needs a value all of whose sources were overwritten, for sure, before
 * it began: every call that writes the value completed (and the initial state, if the value is the initial
 * one, is a source that "completes" before everything), then an acknowledged change was invoked, and that
 * change completed before the read was invoked. Every linearization puts the sources before the change and
 * the change before the read; the change leaves another value (a source of the value could not have been
 * invoked after all sources completed), and no source comes after it, so the read cannot see the value. A
 * source of unknown outcome (a crashed write of the value) may come any time, so such a value is never
 * refuted here.
 *
 * <p>This is what a late stale read or a late read of nil (a node serving before it replayed its log) looks
 * like, and it is found in O(n log n) where a search would have to rule out every order of the ops before it.
 */
final class OverwrittenValueRefutation {
    private static final int CRASHED_SOURCE = Integer.MAX_VALUE;

    private OverwrittenValueRefutation() {
    }

    /** The earliest-returning call refuted this way, or null; {@code calls} are in invocation order. */
    static QuickRefutation.Impossible first(List<Call> calls, ValueFlow flow, Object initialValue) {
        Map<Object, Integer> lastSourceEnd = new HashMap<>();
        lastSourceEnd.put(initialValue, -1);
        List<Call> changes = new ArrayList<>();
        for (Call call : calls) {
            Object written = flow.writtenValue(call);
            if (written != ValueFlow.NONE) {
                lastSourceEnd.merge(written, call.outcomeKnown() ? call.returnPosition() : CRASHED_SOURCE, Math::max);
                if (call.outcomeKnown()) {
                    changes.add(call);
                }
            }
        }
        // Per position in invocation order: the change that returns first among those invoked there or later.
        Call[] firstReturningFrom = new Call[changes.size() + 1];
        for (int i = changes.size() - 1; i >= 0; i--) {
            Call later = firstReturningFrom[i + 1];
            Call here = changes.get(i);
            firstReturningFrom[i] = later == null || here.returnPosition() < later.returnPosition() ? here : later;
        }
        Call refuted = null;
        Call overwriter = null;
        for (Call call : calls) {
            Object needed = call.outcomeKnown() ? flow.requiredValue(call) : ValueFlow.NONE;
            Integer sourcesEnd = needed == ValueFlow.NONE ? null : lastSourceEnd.get(needed);
            if (sourcesEnd == null || sourcesEnd == CRASHED_SOURCE
                    || (refuted != null && call.returnPosition() > refuted.returnPosition())) {
                continue;
            }
            Call change = firstReturningFrom[firstInvokedAfter(changes, sourcesEnd)];
            if (change != null && change.returnPosition() < call.invokePosition()) {
                refuted = call;
                overwriter = change;
            }
        }
        return refuted == null ? null : new QuickRefutation.Impossible(refuted, reason(refuted, overwriter, flow,
                Objects.equals(flow.requiredValue(refuted), initialValue)));
    }

    /** The index in {@code changes} (by invocation) of the first one invoked after {@code position}. */
    private static int firstInvokedAfter(List<Call> changes, int position) {
        int low = 0;
        int high = changes.size();
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (changes.get(middle).invokePosition() > position) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return low;
    }

    private static String reason(Call refuted, Call overwriter, ValueFlow flow, boolean initial) {
        String value = RegisterModel.describe(flow.requiredValue(refuted));
        String what = refuted.f().equals("read") ? "the read returned " + value : "the " + refuted.f() + " expected " + value;
        return what + ", but " + (initial ? "the register held it only at the start and every op writing it"
                : "every op writing it") + " had completed before the " + overwriter.f() + " of "
                + RegisterModel.describe(flow.writtenValue(overwriter)) + " (op index " + overwriter.reportedOp().index()
                + ") began, which completed before the " + refuted.f() + " began";
    }
}
