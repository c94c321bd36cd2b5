package leasekv.replica;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;
import leasekv.raft.testing.MemoryLogStorage;

/**
 * A {@link LogStore} in memory for the replica's unit tests: every write is durable at once, and each
 * call is recorded in {@link #calls} (shared with the test's other fakes, so a test can check the
 * order of log writes against messages sent).
 */
final class MemoryLogStore implements LogStore {
  final MemoryLogStorage storage = new MemoryLogStorage();
  final List<String> calls;
  /** What the state machine has applied, noted with each snapshot install (set by the fixture). */
  java.util.function.LongSupplier stateMachineApplied = () -> -1;

  MemoryLogStore(List<String> calls) {
    this.calls = calls;
  }

  MemoryLogStore() {
    this(new ArrayList<>());
  }

  @Override public HardState hardState() { return storage.hardState(); }
  @Override public SnapshotMeta snapshot() { return storage.snapshot(); }
  @Override public long firstIndex() { return storage.firstIndex(); }
  @Override public long lastIndex() { return storage.lastIndex(); }
  @Override public long term(long index) { return storage.term(index); }
  @Override public List<Entry> entries(long lo, long hi, long maxBytes) { return storage.entries(lo, hi, maxBytes); }

  @Override
  public void append(List<Entry> entries) {
    calls.add("append " + entries.get(0).index() + ".." + entries.get(entries.size() - 1).index());
    storage.append(entries);
  }

  @Override
  public void setHardState(HardState hardState) {
    calls.add("hard state");
    storage.setHardState(hardState);
  }

  @Override
  public void sync() {
    calls.add("sync");
  }

  @Override
  public void installSnapshot(SnapshotMeta meta) {
    calls.add("install snapshot " + meta.index() + " (state machine at " + stateMachineApplied.getAsLong() + ")");
    storage.installSnapshot(meta);
  }

  @Override
  public void compact(long upToIndex) throws IOException {
    calls.add("compact " + upToIndex);
    storage.compact(upToIndex);
  }

  @Override
  public ConfState latestConfState() {
    return storage.confAt(storage.lastIndex());
  }
}
