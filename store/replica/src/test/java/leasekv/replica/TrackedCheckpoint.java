package leasekv.replica;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import leasekv.fsm.Checkpoint;
import leasekv.fsm.EngineBatch;
import leasekv.fsm.EngineView;
import leasekv.fsm.KvEngine;
import leasekv.fsm.StateMachine;
import leasekv.fsm.SyncMode;
import leasekv.fsm.testing.MemoryEngine;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.SnapshotMeta;

/** A leader's in-memory checkpoint that notes whether the replica discarded it. */
final class TrackedCheckpoint implements Checkpoint {
  final Checkpoint image;
  boolean discarded;

  /** The checkpoint of a state machine that applied {@code index} NOOPs of {@code term}. */
  TrackedCheckpoint(long index, long term, ConfState conf) throws IOException {
    StateMachine leader = StateMachine.open(new MemoryEngine(), SyncMode.NOSYNC, false);
    List<Entry> entries = new ArrayList<>();
    for (long i = 1; i <= index; i++) entries.add(Entry.noop(term, i));
    leader.apply(entries);
    image = leader.createCheckpoint(conf);
  }

  @Override
  public SnapshotMeta meta() {
    return image.meta();
  }

  @Override
  public void discard() {
    discarded = true;
  }

  /** A memory engine that restores a {@link TrackedCheckpoint}'s image. */
  static KvEngine engine() {
    MemoryEngine memory = new MemoryEngine();
    return new KvEngine() {
      @Override public byte[] get(byte[] key) { return memory.get(key); }
      @Override public void write(EngineBatch batch, boolean sync) { memory.write(batch, sync); }
      @Override public void sync() { memory.sync(); }
      @Override public EngineView view() { return memory.view(); }
      @Override public Checkpoint checkpoint(SnapshotMeta meta) { return memory.checkpoint(meta); }
      @Override public SnapshotMeta restoredFrom() { return memory.restoredFrom(); }
      @Override public void close() { memory.close(); }

      @Override
      public void restore(Checkpoint checkpoint) {
        memory.restore(checkpoint instanceof TrackedCheckpoint t ? t.image : checkpoint);
      }
    };
  }
}
