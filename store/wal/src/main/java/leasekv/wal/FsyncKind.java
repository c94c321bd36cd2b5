package leasekv.wal;

/** Why the WAL called fsync/fdatasync. */
public enum FsyncKind {
  /** The group-commit fsync in {@link Wal#sync()}: the one acknowledgements and votes wait for. */
  SYNC,
  /** Sealing a full segment before the log moves on to the next one. */
  SEAL,
  /** Creating a segment, repairing a torn tail, compaction or snapshot install (files and directory). */
  STRUCTURE
}
