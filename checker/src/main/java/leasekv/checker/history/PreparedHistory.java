package leasekv.checker.history;

import java.util.List;

/** A history split into keys and paired into calls, with counts for reports. */
public record PreparedHistory(boolean independent, List<KeyHistory> keys, int eventCount, int clientOpCount,
        int nemesisOpCount) {
}
