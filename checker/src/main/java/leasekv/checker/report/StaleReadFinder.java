package leasekv.checker.report;

import java.util.List;
import java.util.Objects;
import leasekv.checker.StaleRead;
import leasekv.checker.history.KeyHistory;
import leasekv.checker.model.Call;

/**
 * Turns a register read that could not be linearized into a {@link StaleRead}: the write it should have
 * seen is the acknowledged write (or successful cas) whose completion came last before the read began.
 *
 * <p>It is a stale read only if the value returned is an old one: the initial value, or one that some
 * write invoked before the read completed could have left. A value no write ever wrote (nor the initial
 * value) is another anomaly, and so is a read that returns exactly what the latest write wrote; for those
 * there is no stale read.
 */
public final class StaleReadFinder {
    private StaleReadFinder() {
    }

    /** The stale read behind {@code failing}, or null when it is not a read or no acknowledged write explains it. */
    public static StaleRead find(KeyHistory history, Call failing, Object initialValue) {
        if (failing == null || !failing.f().equals("read") || !failing.outcomeKnown()) {
            return null;
        }
        Call latestWrite = null;
        for (Call call : history.calls()) {
            boolean acknowledgedBeforeRead = call.outcomeKnown() && call.returnPosition() < failing.invokePosition();
            if (acknowledgedBeforeRead && writtenValue(call) != NOT_A_WRITE
                    && (latestWrite == null || call.returnPosition() > latestWrite.returnPosition())) {
                latestWrite = call;
            }
        }
        if (latestWrite == null || Objects.equals(writtenValue(latestWrite), failing.value())
                || !wasEverTheValue(history, failing, initialValue)) {
            return null;
        }
        return new StaleRead(history.key(), failing.invoke(), failing.completion(), failing.value(),
                latestWrite.invoke(), latestWrite.completion(), writtenValue(latestWrite));
    }

    private static final Object NOT_A_WRITE = new Object();

    private static boolean wasEverTheValue(KeyHistory history, Call read, Object initialValue) {
        if (Objects.equals(initialValue, read.value())) {
            return true;
        }
        for (Call call : history.calls()) {
            if (call.invokePosition() < read.returnPosition() && Objects.equals(writtenValue(call), read.value())) {
                return true;
            }
        }
        return false;
    }

    private static Object writtenValue(Call call) {
        switch (call.f()) {
            case "write":
                return call.value();
            case "cas":
                return call.value() instanceof List && ((List<?>) call.value()).size() == 2
                        ? ((List<?>) call.value()).get(1) : NOT_A_WRITE;
            default:
                return NOT_A_WRITE;
        }
    }
}
