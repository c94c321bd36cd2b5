package leasekv.checker.report;

import java.util.ArrayList;
import java.util.List;
import leasekv.checker.history.KeyHistory;
import leasekv.checker.model.Call;

/**
 * The calls that overlap a failing call in real time: invoked before it returned, and not returned before
 * it was invoked. These, with the failing call, are the small window a person needs to see.
 */
public final class ConcurrencyWindow {
    private static final int MAX_CALLS = 64;

    private ConcurrencyWindow() {
    }

    public static List<Call> around(KeyHistory history, Call failing) {
        List<Call> window = new ArrayList<>();
        int failingEnd = failing.outcomeKnown() ? failing.returnPosition() : Integer.MAX_VALUE;
        for (Call call : history.calls()) {
            int end = call.outcomeKnown() ? call.returnPosition() : Integer.MAX_VALUE;
            boolean overlaps = call.invokePosition() < failingEnd && end > failing.invokePosition();
            if (overlaps || call == failing) {
                window.add(call);
            }
        }
        return keepNearest(window, failing);
    }

    /** Caps the window, keeping the calls invoked nearest to the failing one. */
    private static List<Call> keepNearest(List<Call> window, Call failing) {
        if (window.size() <= MAX_CALLS) {
            return window;
        }
        List<Call> nearest = new ArrayList<>(window);
        nearest.sort((a, b) -> Integer.compare(Math.abs(a.invokePosition() - failing.invokePosition()),
                Math.abs(b.invokePosition() - failing.invokePosition())));
        List<Call> kept = new ArrayList<>(nearest.subList(0, MAX_CALLS));
        kept.sort((a, b) -> Integer.compare(a.invokePosition(), b.invokePosition()));
        return kept;
    }
}
