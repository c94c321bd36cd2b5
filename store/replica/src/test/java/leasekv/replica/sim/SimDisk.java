package leasekv.replica.sim;

import java.util.List;
import java.util.Random;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;
import leasekv.raft.testing.MemoryLogStorage;
import leasekv.raft.testing.SimulatedDisk;
import leasekv.replica.LogStore;

/**
 * The replica's log on a disk that loses unsynced writes: the WAL's durability contract
 * ({@link LogStore}) over {@link SimulatedDisk}. Each entry is its own write, so a crash keeps a
 * prefix of the unsynced writes and cuts a torn tail between records, as the WAL's recovery does.
 * Like the WAL, {@link #installSnapshot} and {@link #compact} are synced before they return.
 *
 * <p>A crash can be armed to strike inside a Ready: just before the sync, or just after it (before
 * any message that waited for it leaves), or around the log's reset to an installed snapshot; it
 * unwinds out of the replica as a {@link SimCrash}.
 */
final class SimDisk implements LogStore {
  /** Where an armed crash strikes. */
  enum CrashPoint { BEFORE_SYNC, AFTER_SYNC, BEFORE_SNAPSHOT_RESET, AFTER_SNAPSHOT_RESET }

  private final SimulatedDisk disk = new SimulatedDisk();
  private final boolean noFsync;
  private CrashPoint armed;

  /** @param noFsync UNSAFE wal-no-fsync, as the WAL's option of that name: syncs do nothing */
  SimDisk(boolean noFsync) {
    this.noFsync = noFsync;
  }

  void arm(CrashPoint point) {
    armed = point;
  }

  void disarm() {
    armed = null;
  }

  /** Power loss (or a process crash: the WAL's unflushed buffer is in process memory): a prefix of the unsynced writes survives. */
  void crash(Random random) {
    armed = null;
    disk.crash(random);
  }

  MemoryLogStorage liveLog() {
    return disk.liveLog();
  }

  @Override public HardState hardState() { return disk.storage().hardState(); }
  @Override public SnapshotMeta snapshot() { return disk.storage().snapshot(); }
  @Override public long firstIndex() { return disk.storage().firstIndex(); }
  @Override public long lastIndex() { return disk.storage().lastIndex(); }
  @Override public long term(long index) { return disk.storage().term(index); }

  @Override
  public List<Entry> entries(long lo, long hi, long maxBytes) {
    return disk.storage().entries(lo, hi, maxBytes);
  }

  @Override
  public void append(List<Entry> entries) {
    disk.append(entries);
  }

  @Override
  public void setHardState(HardState hardState) {
    disk.setHardState(hardState);
  }

  @Override
  public void sync() {
    if (armed == CrashPoint.BEFORE_SYNC) throw new SimCrash("before the log sync");
    if (!noFsync) disk.fsync();
    if (armed == CrashPoint.AFTER_SYNC) throw new SimCrash("after the log sync");
  }

  @Override
  public void installSnapshot(SnapshotMeta meta) {
    if (armed == CrashPoint.BEFORE_SNAPSHOT_RESET) throw new SimCrash("before the log's reset to a snapshot");
    disk.installSnapshot(meta);
    if (!noFsync) disk.fsync();
    if (armed == CrashPoint.AFTER_SNAPSHOT_RESET) throw new SimCrash("after the log's reset to a snapshot");
  }

  @Override
  public void compact(long upToIndex) {
    disk.compact(upToIndex);
    if (!noFsync) disk.fsync();
  }

  @Override
  public ConfState latestConfState() {
    MemoryLogStorage log = disk.liveLog();
    return log.confAt(log.lastIndex());
  }
}
