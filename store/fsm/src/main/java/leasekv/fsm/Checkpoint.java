package leasekv.fsm;

import leasekv.raft.SnapshotMeta;

/**
 * A durable image of the state machine at one applied index, for a snapshot transfer: made by the
 * leader's {@link StateMachine#createCheckpoint}, restored by a follower's {@link
 * StateMachine#restoreFromCheckpoint}. What it holds is the engine's business (a directory of RocksDB
 * files, or an in-memory copy); the transfer that carries it knows which.
 */
public interface Checkpoint {
  /** The index, term and membership the image holds. */
  SnapshotMeta meta();

  /** Frees what the image holds (its files), once nobody will send or restore it. */
  default void discard() {}
}
