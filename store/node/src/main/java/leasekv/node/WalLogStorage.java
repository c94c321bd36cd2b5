package leasekv.node;

import java.util.List;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.raft.LogStorage;
import leasekv.raft.SnapshotMeta;
import leasekv.wal.Wal;

/** The WAL as the core's log storage: every call forwards; the compaction point is the snapshot. */
final class WalLogStorage implements LogStorage {
  private final Wal wal;

  WalLogStorage(Wal wal) {
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
}
