package leasekv.checker.search;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes the searches of one check may hold, shared by all of them. A search reserves before it allocates
 * and gives up with {@code :unknown} when a reservation fails, so the JVM never reaches OutOfMemoryError.
 */
public final class MemoryBudget {
    private final long limitBytes;
    private final AtomicLong remainingBytes;

    public MemoryBudget(long limitBytes) {
        this.limitBytes = limitBytes;
        this.remainingBytes = new AtomicLong(limitBytes);
    }

    public long limitBytes() {
        return limitBytes;
    }

    /** Takes {@code bytes} from the budget, or returns false (taking nothing) if that would exceed it. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long remaining = remainingBytes.get();
            if (remaining < bytes) {
                return false;
            }
            if (remainingBytes.compareAndSet(remaining, remaining - bytes)) {
                return true;
            }
        }
    }

    public void release(long bytes) {
        remainingBytes.addAndGet(bytes);
    }

    public long usedBytes() {
        return limitBytes - remainingBytes.get();
    }
}
