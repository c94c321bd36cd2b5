package leasekv.checker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes small histories in tests: each call appends one op with the next index and a time in ms. */
final class HistoryBuilder {
    private final List<Op> ops = new ArrayList<>();
    private long clockMillis;

    HistoryBuilder invoke(long process, String f, Object value) {
        return add(process, OpType.INVOKE, f, value, null);
    }

    HistoryBuilder ok(long process, String f, Object value) {
        return add(process, OpType.OK, f, value, null);
    }

    HistoryBuilder ok(long process, String f, Object value, Map<String, Object> extras) {
        return add(process, OpType.OK, f, value, extras);
    }

    HistoryBuilder fail(long process, String f, Object value) {
        return add(process, OpType.FAIL, f, value, null);
    }

    HistoryBuilder info(long process, String f, Object value) {
        return add(process, OpType.INFO, f, value, null);
    }

    /** Moves the clock forward; ops get {@code :time} in nanoseconds from this clock. */
    HistoryBuilder atMillis(long millis) {
        clockMillis = millis;
        return this;
    }

    private HistoryBuilder add(long process, OpType type, String f, Object value, Map<String, Object> extras) {
        ops.add(new Op(process, type, f, value, ops.size(), clockMillis * 1_000_000, extras));
        clockMillis++;
        return this;
    }

    List<Op> build() {
        return new ArrayList<>(ops);
    }
}
