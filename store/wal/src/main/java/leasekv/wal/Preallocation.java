package leasekv.wal;

/** How new segment files get their blocks before the log writes into them. */
public enum Preallocation {
  /**
   * fallocate(2) when the filesystem supports it (to reserve the space), then write zeros over the
   * whole segment and fsync, off the hot path. Overwriting written blocks lets fdatasync skip the
   * metadata update; measured here it doubles syncs per second. fallocate alone leaves "unwritten"
   * extents whose conversion still costs a metadata update on every sync.
   */
  ZERO_FILL,
  /** fallocate(2) only; silently becomes NONE where the filesystem refuses it (e.g. EOPNOTSUPP on FUSE). */
  FALLOCATE,
  /** Segments grow as they are written. */
  NONE
}
