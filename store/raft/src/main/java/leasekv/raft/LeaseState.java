package leasekv.raft;

/**
 * An immutable snapshot of what a core knows about its leadership, for serving lease reads from other
 * threads without touching the core. The node publishes {@link Ready#leaseState()} (in a volatile
 * field) before it sends that Ready's messages, and may republish {@link RaftCore#leaseState()} after
 * {@code advance}.
 *
 * <p>A reader thread must: (1) acquire the state-machine snapshot it will read from, (2) then sample
 * the clock, (3) then load the published LeaseState, and serve from the snapshot only if
 * {@code canServeLeaseRead(now)} and the snapshot's applied index is at least {@link #commitIndex()}.
 * Sampling after the snapshot means a pause anywhere in between only makes the check more conservative.
 *
 * @param term the core's term
 * @param role the core's role
 * @param leaderId the leader the core knows of in {@code term}, or null
 * @param leaseHeld whether {@code leaseUntilNanos} is meaningful
 * @param leaseUntilNanos (leader) the clock reading before which no other leader can have been elected
 * @param committedInOwnTerm (leader) whether an entry of {@code term} is committed
 * @param commitIndex the commit index; a lease read must see a state machine applied at least this far
 * @param leaseCheckDisabled set only by {@link UnsafeMode#NO_LEASE_CHECK}
 * @param ownTermCommitCheckDisabled set only by {@link UnsafeMode#READ_BEFORE_OWN_TERM_COMMIT}
 */
public record LeaseState(
    long term,
    Role role,
    String leaderId,
    boolean leaseHeld,
    long leaseUntilNanos,
    boolean committedInOwnTerm,
    long commitIndex,
    boolean leaseCheckDisabled,
    boolean ownTermCommitCheckDisabled) {

  /** The state of a core that is not leader and holds no lease. */
  public static LeaseState notLeader(long term, Role role, String leaderId, long commitIndex) {
    return new LeaseState(term, role, leaderId, false, 0, false, commitIndex, false, false);
  }

  /**
   * True if a read linearized at any instant at or before the clock reading {@code nowNanos} may be
   * served from this node's state machine (once applied to {@link #commitIndex()}).
   */
  public boolean canServeLeaseRead(long nowNanos) {
    if (role != Role.LEADER) return false;
    if (!committedInOwnTerm && !ownTermCommitCheckDisabled) return false;
    if (leaseCheckDisabled) return true;
    return leaseHeld && nowNanos - leaseUntilNanos < 0;
  }

  /** Nanoseconds of lease left at {@code nowNanos}, 0 if none (for metrics and logs). */
  public long remainingLeaseNanos(long nowNanos) {
    return role == Role.LEADER && leaseHeld ? Math.max(0, leaseUntilNanos - nowNanos) : 0;
  }
}
