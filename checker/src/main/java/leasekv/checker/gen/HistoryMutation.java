package leasekv.checker.gen;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A change to one {@code :ok} read of a generated crash history that makes it not linearizable, for sure.
 *
 * <p>Each relies on values being unique per key: the only op that can leave value {@code u} in the
 * register is the one op that wrote {@code u}. Each picks ops {@code A} and {@code X}, both acknowledged
 * ({@code :ok} write or {@code :ok} cas, so both are in every linearization), with {@code A} completed
 * before {@code X} was invoked and {@code X} completed before the read {@code R} was invoked. Then every
 * linearization orders {@code A < X < R}, {@code X} leaves a value other than {@code u}, and nothing but
 * {@code A} can put {@code u} back, so {@code R} cannot return {@code u} (or nil, which no op writes).
 */
public enum HistoryMutation {
    /**
     * R returns an older value: the one left by the acknowledged change two before the last one completed
     * before R began (or one before, early in a key), so it differs from {@link #LOST_WRITE}.
     */
    STALE_READ("stale-read"),
    /** R, which read what an acknowledged write (or cas) W left, returns the value W replaced: W is lost. */
    LOST_WRITE("lost-write"),
    /** R returns nil (the key absent) after a change was acknowledged, as a node serving before replay would. */
    NIL_READ("nil-read");

    private final String label;

    HistoryMutation(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static HistoryMutation parse(String label) {
        for (HistoryMutation mutation : values()) {
            if (mutation.label.equals(label)) {
                return mutation;
            }
        }
        throw new IllegalArgumentException("unknown mutation '" + label + "': stale-read, lost-write or nil-read");
    }

    /** The read changed: its value before and after, and why no linearization can have it. */
    record Site(PlannedCall read, Long originalValue, Long newValue, String why) {
    }

    /**
     * Changes the first suitable {@code :ok} read invoked at or after fraction {@code at} (0..1) of one key's
     * calls; null if there is none.
     */
    Site apply(List<PlannedCall> keyCalls, double at) {
        List<PlannedCall> byInvocation = new ArrayList<>(keyCalls);
        byInvocation.sort(Comparator.comparingLong(c -> c.invokeNanos));
        List<PlannedCall> changes = new ArrayList<>();
        Map<Long, PlannedCall> writerOf = new HashMap<>();
        for (PlannedCall call : byInvocation) {
            if (call.isAcknowledgedChange()) {
                changes.add(call);
                writerOf.put(call.writtenValue(), call);
            }
        }
        for (int i = (int) Math.min(byInvocation.size(), Math.max(0, at * byInvocation.size())); i < byInvocation.size(); i++) {
            PlannedCall read = byInvocation.get(i);
            if (read.kind != PlannedCall.Kind.READ || read.crashed) {
                continue;
            }
            Site site = siteAt(read, changes, writerOf);
            if (site != null) {
                read.readResult = site.newValue();
                return site;
            }
        }
        return null;
    }

    private Site siteAt(PlannedCall read, List<PlannedCall> changes, Map<Long, PlannedCall> writerOf) {
        PlannedCall last = lastCompletedBefore(read, changes);
        if (last == null) {
            return null;
        }
        switch (this) {
            case NIL_READ:
                return read.readResult == null ? null : new Site(read, read.readResult, null,
                        "it returned nil after the change to " + last.writtenValue() + " was acknowledged");
            case STALE_READ: {
                PlannedCall older = lastCompletedBefore(last, changes);
                PlannedCall oldest = older == null ? null : lastCompletedBefore(older, changes);
                PlannedCall stale = oldest != null ? oldest : older;
                return stale == null ? null : new Site(read, read.readResult, stale.writtenValue(), "it returned "
                        + stale.writtenValue() + ", overwritten by the acknowledged change to " + last.writtenValue()
                        + " before the read began");
            }
            default: {
                PlannedCall observed = read.readResult == null ? null : writerOf.get(read.readResult);
                if (observed == null || !observed.completedBefore(read) || observed.valueBefore == null) {
                    return null;
                }
                PlannedCall replaced = writerOf.get(observed.valueBefore);
                return replaced == null || !replaced.completedBefore(observed) ? null : new Site(read,
                        read.readResult, observed.valueBefore, "it returned " + observed.valueBefore
                        + ", the value the acknowledged change to " + read.readResult + " replaced");
            }
        }
    }

    /** The acknowledged change that completed last before {@code call} was invoked, or null. */
    private static PlannedCall lastCompletedBefore(PlannedCall call, List<PlannedCall> changes) {
        PlannedCall last = null;
        for (PlannedCall change : changes) {
            if (change.completedBefore(call) && (last == null || change.completeNanos > last.completeNanos)) {
                last = change;
            }
        }
        return last;
    }
}
