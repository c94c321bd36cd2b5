package leasekv.wal;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to open a {@link Wal}.
 *
 * @param dir the WAL directory (created if missing)
 * @param segmentSizeBytes a segment is sealed when the next record would not fit (a single larger
 *     record still gets a segment of its own)
 * @param preallocation how segment files get their blocks
 * @param cacheMaxBytes budget of the in-memory cache of recent entries
 * @param noFsync UNSAFE (mode {@code wal-no-fsync}): {@link Wal#sync()} returns without fsyncing
 * @param metrics receives every fsync
 * @param unsafeKeepTornTail UNSAFE (mode {@code append-after-torn-tail}): recovery drops a torn tail's
 *     records but the log resumes after its bytes instead of over them, so the next recovery finds
 *     damage in the middle of the log
 */
public record WalOptions(Path dir, long segmentSizeBytes, Preallocation preallocation, long cacheMaxBytes, boolean noFsync,
    WalMetrics metrics, boolean unsafeKeepTornTail) {
  public static final long DEFAULT_SEGMENT_SIZE_BYTES = 16L << 20;
  public static final long DEFAULT_CACHE_MAX_BYTES = 32L << 20;
  static final long MAX_SEGMENT_SIZE_BYTES = 256L << 20;

  public WalOptions {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(preallocation, "preallocation");
    Objects.requireNonNull(metrics, "metrics");
    if (segmentSizeBytes < 4096 || segmentSizeBytes > MAX_SEGMENT_SIZE_BYTES) {
      throw new IllegalArgumentException("segmentSizeBytes must be in [4096, " + MAX_SEGMENT_SIZE_BYTES + "], was " + segmentSizeBytes);
    }
    if (cacheMaxBytes < 0) throw new IllegalArgumentException("cacheMaxBytes must be >= 0");
  }

  /** Safe defaults: 16 MiB zero-filled segments, 32 MiB cache, fsync on. */
  public static WalOptions defaults(Path dir) {
    return new WalOptions(dir, DEFAULT_SEGMENT_SIZE_BYTES, Preallocation.ZERO_FILL, DEFAULT_CACHE_MAX_BYTES, false, WalMetrics.NONE,
        false);
  }

  public WalOptions withSegmentSizeBytes(long v) {
    return new WalOptions(dir, v, preallocation, cacheMaxBytes, noFsync, metrics, unsafeKeepTornTail);
  }

  public WalOptions withPreallocation(Preallocation v) {
    return new WalOptions(dir, segmentSizeBytes, v, cacheMaxBytes, noFsync, metrics, unsafeKeepTornTail);
  }

  public WalOptions withCacheMaxBytes(long v) {
    return new WalOptions(dir, segmentSizeBytes, preallocation, v, noFsync, metrics, unsafeKeepTornTail);
  }

  public WalOptions withNoFsync(boolean v) {
    return new WalOptions(dir, segmentSizeBytes, preallocation, cacheMaxBytes, v, metrics, unsafeKeepTornTail);
  }

  public WalOptions withMetrics(WalMetrics v) {
    return new WalOptions(dir, segmentSizeBytes, preallocation, cacheMaxBytes, noFsync, v, unsafeKeepTornTail);
  }

  public WalOptions withUnsafeKeepTornTail(boolean v) {
    return new WalOptions(dir, segmentSizeBytes, preallocation, cacheMaxBytes, noFsync, metrics, v);
  }
}
