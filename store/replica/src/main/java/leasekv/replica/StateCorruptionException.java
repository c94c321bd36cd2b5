package leasekv.replica;

/**
 * The log and the state machine found at start do not describe one history; the node refuses to
 * start.
 */
public final class StateCorruptionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StateCorruptionException(String message) {
    super(message);
  }
}
