package leasekv.node;

import java.io.IOException;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;
import leasekv.replica.LogStore;
import leasekv.wal.Wal;

/** The WAL as the replica's log: every call forwards; the compaction point is the snapshot. */
final class WalLogStore implements LogStore {
  private final Wal wal;

  WalLogStore(Wal wal) {
    this.wal = wal;
  }

  @Override
  public HardState hardState() {
    return wal.hardState();
  }

  @Override
  public SnapshotMeta snapshot() {
    return wal.compactionPoint();
  }

  @Override
  public long firstIndex() {
    return wal.firstIndex();
  }

  @Override
  public long lastIndex() {
    return wal.lastIndex();
  }

  @Override
  public long term(long index) {
    return wal.term(index);
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxBytes) {
    return wal.entries(lo, hi, maxBytes);
  }

  @Override
  public void append(List<Entry> entries) throws IOException {
    wal.append(entries);
  }

  @Override
  public void setHardState(HardState hardState) throws IOException {
    wal.setHardState(hardState);
  }

  @Override
  public void sync() throws IOException {
    wal.sync();
  }

  @Override
  public void installSnapshot(SnapshotMeta meta) throws IOException {
    wal.installSnapshot(meta);
  }

  @Override
  public void compact(long upToIndex) throws IOException {
    wal.compact(upToIndex);
  }

  @Override
  public ConfState latestConfState() {
    return wal.latestConfState();
  }
}
