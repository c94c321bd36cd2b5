package leasekv.checker.history;

import java.util.List;
import leasekv.checker.model.Call;

/**
 * The calls on one key, ready for the search: calls by id (invocation order) and the sequence of
 * invocation and {@code :ok} return events. Calls of unknown outcome have no return event.
 */
public final class KeyHistory {
    private final Object key;
    private final List<Call> calls;
    private final int[] events;
    private final int historyOpCount;

    /**
     * @param events each event is {@code callId << 1 | (isReturn ? 1 : 0)}, in history order
     * @param historyOpCount the ops of this key in the input, failed ones included
     */
    public KeyHistory(Object key, List<Call> calls, int[] events, int historyOpCount) {
        this.key = key;
        this.calls = calls;
        this.events = events;
        this.historyOpCount = historyOpCount;
    }

    /** The independent key, or null for a history without keys. */
    public Object key() {
        return key;
    }

    public List<Call> calls() {
        return calls;
    }

    public int[] events() {
        return events;
    }

    public int historyOpCount() {
        return historyOpCount;
    }

    /**
     * The history up to and including event {@code lastEvent}: calls invoked later are gone, and calls
     * whose return comes later become calls of unknown outcome with their invocation's value (read-only
     * ones, which then constrain nothing, are dropped). Calls that stay unchanged are the same objects.
     */
    public KeyHistory prefixThrough(int lastEvent, java.util.function.Predicate<Call> readOnly) {
        int[] newIndex = new int[calls.size()];
        java.util.Arrays.fill(newIndex, -1);
        List<Call> kept = new java.util.ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Call call = calls.get(i);
            if (call.invokePosition() > lastEvent) {
                continue;
            }
            if (call.outcomeKnown() && call.returnPosition() > lastEvent) {
                call = new Call(kept.size(), call.fKeyword(), call.invoke().value() instanceof List && key != null
                        ? ((List<?>) call.invoke().value()).get(1) : call.invoke().value(),
                        call.invoke(), null, call.invokePosition(), -1);
                if (readOnly.test(call)) {
                    continue;
                }
            }
            newIndex[i] = kept.size();
            kept.add(call);
        }
        int[] prefixEvents = new int[lastEvent + 1];
        int count = 0;
        for (int position = 0; position <= lastEvent; position++) {
            int event = events[position];
            int index = newIndex[callOf(event)];
            boolean cut = index < 0 || (isReturn(event) && !kept.get(index).outcomeKnown());
            if (!cut) {
                prefixEvents[count++] = (index << 1) | (event & 1);
            }
        }
        return new KeyHistory(key, java.util.Collections.unmodifiableList(kept),
                java.util.Arrays.copyOf(prefixEvents, count), historyOpCount);
    }

    /**
     * The history without the calls marked in {@code dropped} (indexed by position in {@link #calls()}); the
     * calls kept are the same objects, in the same order. Returns this history when nothing is dropped.
     */
    public KeyHistory without(boolean[] dropped) {
        int[] newIndex = new int[calls.size()];
        List<Call> kept = new java.util.ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            newIndex[i] = dropped[i] ? -1 : kept.size();
            if (!dropped[i]) {
                kept.add(calls.get(i));
            }
        }
        if (kept.size() == calls.size()) {
            return this;
        }
        int[] keptEvents = new int[events.length];
        int count = 0;
        for (int event : events) {
            int index = newIndex[callOf(event)];
            if (index >= 0) {
                keptEvents[count++] = (index << 1) | (event & 1);
            }
        }
        return new KeyHistory(key, java.util.Collections.unmodifiableList(kept),
                java.util.Arrays.copyOf(keptEvents, count), historyOpCount);
    }

    public static int callOf(int event) {
        return event >>> 1;
    }

    public static boolean isReturn(int event) {
        return (event & 1) != 0;
    }
}
