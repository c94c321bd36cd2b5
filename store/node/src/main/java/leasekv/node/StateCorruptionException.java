package leasekv.node;

/**
 * The WAL and the state machine disagree in a way that means acknowledged data was lost (for
 * example the log was compacted past what the state machine made durable). The node refuses to
 * start rather than serve from a state with a hole in it.
 */
public final class StateCorruptionException extends RuntimeException {
  public StateCorruptionException(String message) {
    super(message);
  }
}
