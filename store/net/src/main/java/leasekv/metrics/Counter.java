package leasekv.metrics;

import java.util.concurrent.atomic.LongAdder;

/** A monotonically increasing count; {@link #inc()} is contention-free (a LongAdder). */
public final class Counter {
    private final LongAdder count = new LongAdder();

    public void inc() {
        count.increment();
    }

    public void add(long amount) {
        if (amount < 0) {
            throw new IllegalArgumentException("a counter only goes up, got amount " + amount);
        }
        count.add(amount);
    }

    public long value() {
        return count.sum();
    }
}
