package leasekv.replica;

/**
 * The replica cannot go on safely: a log write or fsync failed (it may have lost what it
 * acknowledged), a committed entry could not be applied, or storage is inconsistent. The driver
 * stops the process (the node halts; the simulation fails the run with its seed).
 */
public final class ReplicaFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ReplicaFailure(String message, Throwable cause) {
    super(message, cause);
  }

  public ReplicaFailure(String message) {
    super(message);
  }
}
