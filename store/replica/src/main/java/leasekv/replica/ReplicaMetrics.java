package leasekv.replica;

import leasekv.raft.LeaseState;

/** Port: counters the replica reports (Prometheus in the node; nothing in the simulation). */
public interface ReplicaMetrics {
  ReplicaMetrics NONE = new ReplicaMetrics() {};

  /** A lease read was served from the lease (true) or fell back to ReadIndex (false). */
  default void leaseRead(boolean hit) {}

  default void readIndexRound() {}

  default void applyBatch(int entries, long nanos) {}

  default void proposalsTimedOut(int count) {}

  /** A new lease state was published for readers. */
  default void published(LeaseState state) {}

  default void leaderChanged() {}
}
