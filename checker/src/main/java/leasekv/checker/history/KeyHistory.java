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

    public static int callOf(int event) {
        return event >>> 1;
    }

    public static boolean isReturn(int event) {
        return (event & 1) != 0;
    }
}
