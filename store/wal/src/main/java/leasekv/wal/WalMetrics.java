package leasekv.wal;

/**
 * Receives every fsync the WAL performs, right after it returns, on the thread that performed it.
 * The node feeds {@code leasekv_wal_fsync_seconds} and {@code leasekv_wal_fsyncs_total} from it.
 * Implementations must be fast and must not call back into the WAL.
 */
@FunctionalInterface
public interface WalMetrics {
  void onFsync(FsyncKind kind, long durationNanos);

  WalMetrics NONE = (kind, durationNanos) -> {};
}
