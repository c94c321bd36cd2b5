package leasekv.raft;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Deliberately broken builds of the lease rules, for showing that the simulator and the harness catch
 * them. Each breaks exactly one rule; all are off by default. The node accepts them only with
 * {@code --test-hooks}. (The contracts list three more modes, about durability; the node implements
 * those, they do not concern the core.)
 */
public enum UnsafeMode {
  /**
   * The lease is measured from the time the leader <em>receives</em> the quorum's acknowledgements
   * instead of the time it sent the acknowledged round. A reply that sat in the network (or in a
   * paused leader's queue) stretches the lease past the followers' vote-refusal window.
   */
  LEASE_FROM_ACK_RECEIPT("lease-from-ack-receipt"),
  /**
   * The lease is twice the minimum election timeout and its validation is skipped, so an isolated
   * leader keeps serving reads after the rest elected a new leader and accepted writes.
   */
  LEASE_EXCEEDS_ELECTION_TIMEOUT("lease-exceeds-election-timeout"),
  /**
   * A core that believes it is leader serves lease reads with no lease check at all (it still waits
   * for its own-term commit), so an isolated leader serves stale reads until check-quorum deposes it.
   */
  NO_LEASE_CHECK("no-lease-check"),
  /**
   * Lease reads are allowed before the new leader commits an entry of its own term, so it can miss
   * writes the previous leader committed (and acknowledged) that it has not yet learned are committed.
   */
  READ_BEFORE_OWN_TERM_COMMIT("read-before-own-term-commit"),
  /**
   * The lease's quorum instant is the FRESHEST acknowledgement instead of the majority-th latest
   * (rule L3): one follower that still hears the leader keeps its lease alive while the majority
   * elects someone else.
   */
  LEASE_FROM_FRESHEST_ACK("lease-from-freshest-ack"),
  /**
   * Followers grant (pre-)votes and change term for a candidate although they heard from a leader
   * within the minimum election timeout (rule L5): a candidate that lost touch with the leader is
   * elected while the leader's lease still holds.
   */
  VOTE_WITHIN_LEASE("vote-within-lease"),
  /**
   * A restarted node votes and campaigns at once, as a brand-new one does (rule L6): it may have
   * acknowledged a leader just before the restart, whose lease is still valid.
   */
  VOTE_RIGHT_AFTER_RESTART("vote-right-after-restart"),
  /**
   * A leadership transfer keeps the lease (rule L7): TimeoutNow lets the target win at once, past
   * the followers' vote refusal, while the old leader goes on serving lease reads.
   */
  KEEP_LEASE_DURING_TRANSFER("keep-lease-during-transfer");

  private final String cliName;

  UnsafeMode(String cliName) {
    this.cliName = cliName;
  }

  /** The name used by {@code --unsafe} and the contracts, e.g. {@code lease-from-ack-receipt}. */
  public String cliName() {
    return cliName;
  }

  /** Parses a {@link #cliName()}; throws naming the known modes if it is not one of them. */
  public static UnsafeMode fromCliName(String name) {
    for (UnsafeMode m : values()) {
      if (m.cliName.equals(name)) return m;
    }
    throw new IllegalArgumentException("unknown core unsafe mode '" + name + "'; known: "
        + Arrays.stream(values()).map(UnsafeMode::cliName).collect(Collectors.joining(", ")));
  }
}
