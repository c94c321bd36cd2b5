package leasekv.wal;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the WAL's fsyncs by kind, always kept; read them at any time from any thread. */
public final class WalStats implements WalMetrics {
  private final Map<FsyncKind, LongAdder> counts = new EnumMap<>(FsyncKind.class);
  private final Map<FsyncKind, LongAdder> nanos = new EnumMap<>(FsyncKind.class);
  private final LongAccumulator maxSyncNanos = new LongAccumulator(Math::max, 0);

  public WalStats() {
    for (FsyncKind k : FsyncKind.values()) {
      counts.put(k, new LongAdder());
      nanos.put(k, new LongAdder());
    }
  }

  @Override
  public void onFsync(FsyncKind kind, long durationNanos) {
    counts.get(kind).increment();
    nanos.get(kind).add(durationNanos);
    if (kind == FsyncKind.SYNC) maxSyncNanos.accumulate(durationNanos);
  }

  public long fsyncCount(FsyncKind kind) {
    return counts.get(kind).sum();
  }

  public long fsyncNanosTotal(FsyncKind kind) {
    return nanos.get(kind).sum();
  }

  /** All fsyncs of every kind. */
  public long fsyncCount() {
    long n = 0;
    for (LongAdder a : counts.values()) n += a.sum();
    return n;
  }

  public long maxSyncNanos() {
    return maxSyncNanos.get();
  }
}
