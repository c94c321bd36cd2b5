package leasekv.replica;

/**
 * Why the replica did not (or may not have) done what it was asked. {@link Refusal#definite()} says
 * whether the request is known not to have taken effect (Jepsen's :fail) or may have (:info).
 */
public final class ReplicaException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public enum Refusal {
    /** Not the leader; {@link #leaderId()} names it when known. Not applied. */
    NOT_LEADER(true),
    /** Replaying the log after a start: nothing is served yet. */
    NOT_READY(true),
    /** A queue is full; not proposed. */
    BUSY(true),
    /** The request itself is not valid (e.g. a bad membership change). */
    INVALID(true),
    /** Proposed, but not known to be committed in time. */
    TIMEOUT(false),
    /** Proposed, then leadership was lost or the entry was overtaken by a snapshot. */
    UNCERTAIN(false);

    private final boolean definite;

    Refusal(boolean definite) {
      this.definite = definite;
    }

    public boolean definite() {
      return definite;
    }
  }

  private final Refusal refusal;
  private final String leaderId;

  public ReplicaException(Refusal refusal, String leaderId, String message) {
    super(message);
    this.refusal = refusal;
    this.leaderId = leaderId;
  }

  public ReplicaException(Refusal refusal, String message) {
    this(refusal, null, message);
  }

  public static ReplicaException notLeader(String leaderId) {
    return new ReplicaException(
        Refusal.NOT_LEADER,
        leaderId,
        leaderId == null ? "leader unknown" : "the leader is " + leaderId);
  }

  public Refusal refusal() {
    return refusal;
  }

  /** The leader this replica knows of, or null (for NOT_LEADER). */
  public String leaderId() {
    return leaderId;
  }
}
