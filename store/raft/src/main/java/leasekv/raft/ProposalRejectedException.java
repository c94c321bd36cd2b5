package leasekv.raft;

/**
 * A proposal, conf change, transfer or ReadIndex request that the core refused immediately. It was
 * not appended anywhere, so the node can answer a definite failure (e.g. {@code NOTLEADER <leaderId>}).
 */
public final class ProposalRejectedException extends RuntimeException {
  public enum Reason {
    /** This core is not the leader; {@link #leaderId()} names the leader it knows, or is null. */
    NOT_LEADER,
    /** A leadership transfer is in progress; proposals resume if it times out. */
    TRANSFER_IN_PROGRESS,
    /** A membership change is appended but not yet committed; only one may be in flight. */
    CONF_CHANGE_IN_PROGRESS,
    /** The new leader has not yet committed an entry of its term (needed before a membership change). */
    NOT_COMMITTED_IN_TERM,
    /** The requested membership change or transfer makes no sense (the message says why). */
    INVALID_CONF_CHANGE
  }

  private final Reason reason;
  private final String leaderId;

  public ProposalRejectedException(Reason reason, String leaderId, String message) {
    super(message);
    this.reason = reason;
    this.leaderId = leaderId;
  }

  public Reason reason() {
    return reason;
  }

  /** The leader this core believes in, or null when unknown; meaningful for {@link Reason#NOT_LEADER}. */
  public String leaderId() {
    return leaderId;
  }
}
