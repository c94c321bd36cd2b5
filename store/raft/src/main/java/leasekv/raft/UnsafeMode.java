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
  READ_BEFORE_OWN_TERM_COMMIT("read-before-own-term-commit");

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
