package leasekv.replica;

import java.util.Objects;
import leasekv.raft.ConfState;
import leasekv.raft.RaftConfig;

/**
 * What one replica runs with.
 *
 * @param raft the core's configuration; its applied index is replaced by the state machine's at
 *     start, and its initial voters are the bootstrap membership (--peers)
 * @param readPolicy lease reads with ReadIndex fallback, or ReadIndex only
 * @param requestTimeoutNanos a write not committed in this time (replica clock) fails with TIMEOUT
 * @param snapshotIntervalEntries make the state machine durable and compact the log every this many
 *     applied entries
 * @param logRetainEntries entries kept below the durable applied index when compacting, for slow
 *     followers
 * @param unsafe deliberately broken behaviour (off unless named)
 */
public record ReplicaConfig(
    RaftConfig raft,
    ReadPolicy readPolicy,
    long requestTimeoutNanos,
    long snapshotIntervalEntries,
    long logRetainEntries,
    UnsafeModes unsafe) {
  public ReplicaConfig {
    Objects.requireNonNull(raft, "raft");
    Objects.requireNonNull(readPolicy, "readPolicy");
    Objects.requireNonNull(unsafe, "unsafe");
    if (requestTimeoutNanos <= 0)
      throw new IllegalArgumentException("requestTimeoutNanos must be positive");
    if (snapshotIntervalEntries <= 0)
      throw new IllegalArgumentException("snapshotIntervalEntries must be positive");
    if (logRetainEntries < 0)
      throw new IllegalArgumentException("logRetainEntries must not be negative");
  }

  public String id() {
    return raft.id();
  }

  /**
   * The membership of a brand-new cluster (recorded in checkpoints made before any CONFIG entry
   * applies).
   */
  public ConfState bootstrapConf() {
    return new ConfState(raft.initialVoters());
  }
}
