package leasekv.lazyfs;

import java.util.concurrent.atomic.AtomicLong;

/** Process-wide figures reported by {@code ctl stats}; all are monotonic except the pending ones. */
final class Counters {
    /** Bytes of 4 KiB pages currently held in memory as unsynced data. */
    final AtomicLong pendingPageBytes = new AtomicLong();
    /** Bytes of unsynced writes kept in order (beside the pages) for a partial power loss. */
    final AtomicLong pendingChangeBytes = new AtomicLong();
    final AtomicLong tornWrites = new AtomicLong();
    /** Armed power losses that struck at an fsync. */
    final AtomicLong fsyncLosses = new AtomicLong();
    final AtomicLong fileSyncs = new AtomicLong();
    final AtomicLong dirSyncs = new AtomicLong();
    final AtomicLong syncedBytes = new AtomicLong();
    /** Bytes written to the backing file without an fsync because pending memory ran over its cap. */
    final AtomicLong writebackBytes = new AtomicLong();
    final AtomicLong losses = new AtomicLong();
    final AtomicLong lostBytes = new AtomicLong();
    final AtomicLong undoneOps = new AtomicLong();
    final AtomicLong committedOps = new AtomicLong();

    /** Memory held for unsynced data: pages plus the ordered change log; the cap applies to it. */
    long pendingMemoryBytes() {
        return pendingPageBytes.get() + pendingChangeBytes.get();
    }
}
