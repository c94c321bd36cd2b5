package leasekv.wal;

import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;

/**
 * The read-only view of the log that the Raft core needs, with etcd's Storage semantics. An adapter
 * to the core's own storage interface only forwards calls. Thread-safe.
 */
public interface RaftLogView {
  /** Index of the first available entry: compaction point + 1 (equal to lastIndex()+1 when empty). */
  long firstIndex();

  /** Index of the last entry, or the compaction point's index when the log holds no entries. */
  long lastIndex();

  /**
   * Term of entry {@code index}, for firstIndex()-1 <= index <= lastIndex() (the compaction point's
   * term for firstIndex()-1).
   *
   * @throws LogCompactedException when index < firstIndex() - 1
   * @throws LogUnavailableException when index > lastIndex()
   */
  long term(long index);

  /**
   * Entries [lo, hi) whose total {@link Entry#sizeBytes()} stays within maxBytes, but at least one.
   *
   * @throws LogCompactedException when lo < firstIndex()
   * @throws LogUnavailableException when hi > lastIndex() + 1
   */
  List<Entry> entries(long lo, long hi, long maxBytes);

  /** The last hard state set (durable once {@link Wal#sync()} returns). */
  HardState hardState();

  /** The compaction point: index and term of the last discarded entry and the membership as of it. */
  SnapshotMeta compactionPoint();

  /** The membership of the last CONFIG entry in the log, or the compaction point's when there is none. */
  ConfState latestConfState();
}
