package leasekv.replica.sim;

/** Thrown from a simulated port when an armed crash strikes: the node's process dies right there. */
final class SimCrash extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SimCrash(String where) {
    super(where, null, false, false);
  }
}
