package leasekv.checker.search;

import java.util.concurrent.atomic.AtomicBoolean;

/** When a search must give up: a wall-clock deadline, a shared memory budget, and a cancel flag. */
public final class SearchLimits {
    private final long deadlineNanos;
    private final long timeLimitNanos;
    private final MemoryBudget memory;
    private final AtomicBoolean cancelled;

    /**
     * @param deadlineNanos a {@link System#nanoTime()} instant
     * @param timeLimitNanos the limit the deadline came from, for messages
     */
    public SearchLimits(long deadlineNanos, long timeLimitNanos, MemoryBudget memory, AtomicBoolean cancelled) {
        this.deadlineNanos = deadlineNanos;
        this.timeLimitNanos = timeLimitNanos;
        this.memory = memory;
        this.cancelled = cancelled;
    }

    public static SearchLimits unlimited() {
        return new SearchLimits(Long.MAX_VALUE, Long.MAX_VALUE, new MemoryBudget(Long.MAX_VALUE), new AtomicBoolean());
    }

    public MemoryBudget memory() {
        return memory;
    }

    public long timeLimitNanos() {
        return timeLimitNanos;
    }

    /** The same memory budget and cancel flag, with a deadline at most {@code nanos} from now. */
    public SearchLimits within(long nanos) {
        long soon = System.nanoTime() + Math.max(nanos, 0);
        long deadline = soon - deadlineNanos < 0 ? soon : deadlineNanos;
        return new SearchLimits(deadline, Math.min(nanos, timeLimitNanos), memory, cancelled);
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Makes every search sharing these limits stop with cause {@code cancelled}. */
    public void cancel() {
        cancelled.set(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    /** @throws SearchAborted when the deadline has passed or the check was cancelled */
    void check(long configurations) {
        if (cancelled.get()) {
            throw new SearchAborted("cancelled", "another key was found invalid and the check stops early");
        }
        if (System.nanoTime() - deadlineNanos > 0) {
            throw new SearchAborted("time-limit", "the search exceeded its time limit of "
                    + formatSeconds(timeLimitNanos) + " after " + configurations + " configurations");
        }
    }

    void reserve(long bytes, long configurations) {
        if (!memory.tryReserve(bytes)) {
            throw new SearchAborted("memory-limit", "the search exceeded its memory limit of "
                    + (memory.limitBytes() >> 20) + " MiB after " + configurations + " configurations");
        }
    }

    private static String formatSeconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3g s", nanos / 1e9);
    }
}
