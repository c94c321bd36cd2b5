package leasekv.raft.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.raft.LogStorage;
import leasekv.raft.SnapshotMeta;

/**
 * A WAL on a disk that loses unsynced writes when the machine crashes (like lazyfs's
 * {@code lose-unsynced}). Reads see every write (the page cache); {@link #fsync()} makes all writes so
 * far durable; {@link #crash(Random)} keeps the durable state plus a random prefix of the unsynced
 * writes (entries are written one record at a time, so a crash can tear the tail between them).
 */
public final class SimulatedDisk {
  private final MemoryLogStorage durable = new MemoryLogStorage();
  private MemoryLogStorage live = new MemoryLogStorage();
  private final List<Consumer<MemoryLogStorage>> unsynced = new ArrayList<>();
  private long fsyncs;
  private long lostWrites;

  /** What the core reads: everything written, synced or not. Replaced by a new object after a crash. */
  public LogStorage storage() {
    return live;
  }

  public MemoryLogStorage liveLog() {
    return live;
  }

  public void append(List<Entry> entries) {
    for (Entry e : entries) write(s -> s.append(List.of(e)));
  }

  public void setHardState(HardState hs) {
    write(s -> s.setHardState(hs));
  }

  public void installSnapshot(SnapshotMeta meta) {
    write(s -> s.installSnapshot(meta));
  }

  public void compact(long index) {
    write(s -> s.compact(index));
  }

  private void write(Consumer<MemoryLogStorage> op) {
    op.accept(live);
    unsynced.add(op);
  }

  public void fsync() {
    for (Consumer<MemoryLogStorage> op : unsynced) op.accept(durable);
    unsynced.clear();
    fsyncs++;
  }

  /** Power loss: a random prefix of the unsynced writes reached the platter, the rest is gone. */
  public void crash(Random random) {
    int kept = random.nextInt(unsynced.size() + 1);
    for (int i = 0; i < kept; i++) unsynced.get(i).accept(durable);
    lostWrites += unsynced.size() - kept;
    unsynced.clear();
    live = durable.copy();
  }

  public int unsyncedWrites() {
    return unsynced.size();
  }

  public long fsyncs() {
    return fsyncs;
  }

  public long lostWrites() {
    return lostWrites;
  }
}
