package leasekv.raft;

import java.util.List;

/**
 * The read-only view of the persisted log through which the core reads what the node wrote. The WAL
 * implements it; {@code leasekv.raft.testing.MemoryLogStorage} (test-jar) is the in-memory one.
 *
 * <p>The log holds entries {@code firstIndex()..lastIndex()}; everything up to {@code
 * snapshot().index()} was compacted away and is represented by the snapshot (the durable state
 * machine checkpoint), so {@code firstIndex() == snapshot().index() + 1}. An empty, never-used
 * storage has {@code firstIndex() == 1}, {@code lastIndex() == 0}, {@link SnapshotMeta#EMPTY} and
 * {@link HardState#EMPTY}.
 *
 * <p>The membership is not stored separately: it is {@code snapshot().conf()} followed by the CONFIG
 * entries of the log (the core uses the latest one, committed or not).
 *
 * <p>Threading: the core calls these methods only from the driver thread, and the node changes the
 * storage (persisting a {@link Ready}, compacting) only from that thread between core calls.
 */
public interface LogStorage {
  /** The persisted term, vote and commit; read once when the core is constructed. */
  HardState hardState();

  /** The compaction point: index, term and membership of the newest snapshot; EMPTY if none. */
  SnapshotMeta snapshot();

  /** Index of the first entry still in the log ({@code snapshot().index() + 1}). */
  long firstIndex();

  /** Index of the last entry, or {@code snapshot().index()} if the log is empty. */
  long lastIndex();

  /** The term of entry {@code index}, for {@code firstIndex() - 1 <= index <= lastIndex()}. */
  long term(long index);

  /**
   * Entries {@code [lo, hi)}, with {@code firstIndex() <= lo <= hi <= lastIndex() + 1}, stopping
   * before the total {@link Entry#sizeBytes()} exceeds {@code maxBytes} but always returning at least
   * one entry when {@code lo < hi}.
   */
  List<Entry> entries(long lo, long hi, long maxBytes);
}
