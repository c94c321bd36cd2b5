package leasekv.raft.testing;

import java.util.ArrayList;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.HardState;
import leasekv.raft.LogStorage;
import leasekv.raft.SnapshotMeta;

/**
 * An in-memory {@link LogStorage} with the write operations a WAL offers: what a test driver
 * "persists" from a {@link leasekv.raft.Ready}. Everything written is immediately durable; {@link
 * SimulatedDisk} adds the loss of unsynced writes.
 */
public final class MemoryLogStorage implements LogStorage {
  private HardState hardState = HardState.EMPTY;
  private SnapshotMeta snapshot = SnapshotMeta.EMPTY;
  /** entries.get(0) has index snapshot.index() + 1. */
  private final ArrayList<Entry> entries = new ArrayList<>();

  public MemoryLogStorage() {}

  /** A deep copy (entries are immutable values). */
  public MemoryLogStorage copy() {
    MemoryLogStorage c = new MemoryLogStorage();
    c.hardState = hardState;
    c.snapshot = snapshot;
    c.entries.addAll(entries);
    return c;
  }

  @Override public HardState hardState() { return hardState; }
  @Override public SnapshotMeta snapshot() { return snapshot; }
  @Override public long firstIndex() { return snapshot.index() + 1; }
  @Override public long lastIndex() { return snapshot.index() + entries.size(); }

  @Override
  public long term(long index) {
    if (index == snapshot.index()) return snapshot.term();
    checkRange(index, index + 1);
    return entries.get(offset(index)).term();
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxBytes) {
    checkRange(lo, hi);
    List<Entry> out = new ArrayList<>();
    long bytes = 0;
    for (long i = lo; i < hi; i++) {
      Entry e = entries.get(offset(i));
      if (!out.isEmpty() && bytes + e.sizeBytes() > maxBytes) break;
      out.add(e);
      bytes += e.sizeBytes();
    }
    return out;
  }

  /** Appends entries, first discarding every stored entry at or after the first one's index (a WAL's truncate-and-append). */
  public void append(List<Entry> ents) {
    if (ents.isEmpty()) return;
    long first = ents.get(0).index();
    if (first <= snapshot.index()) throw new IllegalArgumentException("append at " + first + " is inside the snapshot at " + snapshot.index());
    if (first > lastIndex() + 1) throw new IllegalArgumentException("append at " + first + " leaves a gap after " + lastIndex());
    entries.subList(offset(first), entries.size()).clear();
    for (int k = 0; k < ents.size(); k++) {
      if (ents.get(k).index() != first + k) throw new IllegalArgumentException("non-contiguous entries at " + ents.get(k));
    }
    entries.addAll(ents);
  }

  public void setHardState(HardState hs) {
    hardState = hs;
  }

  /** Replaces the whole log by a snapshot (a follower installing one from the leader). */
  public void installSnapshot(SnapshotMeta meta) {
    snapshot = meta;
    entries.clear();
    if (hardState.commit() < meta.index()) hardState = new HardState(hardState.term(), hardState.votedFor(), meta.index());
  }

  /** Drops entries up to {@code index}, which becomes the snapshot point (with the membership at that index). */
  public void compact(long index) {
    if (index <= snapshot.index()) return;
    if (index > lastIndex()) throw new IllegalArgumentException("compact to " + index + " past the last index " + lastIndex());
    SnapshotMeta meta = new SnapshotMeta(index, term(index), confAt(index));
    entries.subList(0, offset(index) + 1).clear();
    snapshot = meta;
  }

  /** The membership in effect at {@code index}: the latest CONFIG entry at or below it, else the snapshot's. */
  public ConfState confAt(long index) {
    for (long i = Math.min(index, lastIndex()); i > snapshot.index(); i--) {
      Entry e = entries.get(offset(i));
      if (e.type() == EntryType.CONFIG) return ConfState.decode(e.data());
    }
    return snapshot.conf();
  }

  /** All entries currently in the log, in order. */
  public List<Entry> allEntries() {
    return List.copyOf(entries);
  }

  private int offset(long index) {
    return (int) (index - snapshot.index() - 1);
  }

  private void checkRange(long lo, long hi) {
    if (lo < firstIndex() || hi > lastIndex() + 1 || lo > hi) {
      throw new IndexOutOfBoundsException("[" + lo + ", " + hi + ") outside the log [" + firstIndex() + ", " + (lastIndex() + 1) + ")");
    }
  }
}
