package leasekv.replica;

/**
 * A read's value and how it was served.
 *
 * @param how LEASE, READ_INDEX, or LOCAL_UNSAFE (no check at all: unsafe mode no-lease-check)
 * @param term the leader term the read was served in
 * @param appliedIndex the applied index of the state it was read from
 */
public record ServedRead<T>(T value, How how, long term, long appliedIndex) {
  public enum How {
    LEASE,
    READ_INDEX,
    LOCAL_UNSAFE
  }
}
