package leasekv.fsm;

import java.io.Closeable;
import java.io.IOException;
import leasekv.raft.SnapshotMeta;

/**
 * The storage under the {@link StateMachine}: ordered byte keys, atomic batches, durability on demand
 * and consistent views. RocksDB ({@link RocksEngine}) is the one the node runs; the simulation runs an
 * in-memory one with the same contract (test-jar {@code leasekv.fsm.testing.MemoryEngine}).
 *
 * <p>The contract the state machine's correctness rests on (durability rules 1 and 2 of
 * docs/rules.md):
 * <ul>
 *   <li>a batch is written whole or not at all, and a crash recovers a PREFIX of the written batches
 *       (RocksDB's WAL replay): never a later batch without an earlier one;
 *   <li>an unsynced batch survives a process crash but may be lost in a power loss; a synced one, and
 *       every batch before it, survives both;
 *   <li>{@link #sync()} makes every batch written so far durable;
 *   <li>a checkpoint is durable when it is made, and restoring one is durable when it returns.
 * </ul>
 *
 * <p>Threading: writes, syncs, checkpoints and restores from one thread; {@link #get} and views from
 * any thread. The state machine makes sure no view is open during {@link #restore}.
 */
public interface KvEngine extends Closeable {
  /** The latest value of {@code key} (synced or not), or null. */
  byte[] get(byte[] key) throws IOException;

  /** Writes {@code batch} atomically; with {@code sync} it is durable (with everything before it) on return. */
  void write(EngineBatch batch, boolean sync) throws IOException;

  /** Makes every batch written so far durable. */
  void sync() throws IOException;

  /** A consistent view of the current state; close it promptly. */
  EngineView view() throws IOException;

  /** A durable image of the current state, recording {@code meta} with it. */
  Checkpoint checkpoint(SnapshotMeta meta) throws IOException;

  /** Replaces the whole state by {@code checkpoint}'s, durably; the engine then reads the new state. */
  void restore(Checkpoint checkpoint) throws IOException;

  /** The metadata of the checkpoint the current state was restored from, or null if none. */
  SnapshotMeta restoredFrom() throws IOException;
}
