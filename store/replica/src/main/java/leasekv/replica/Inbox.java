package leasekv.replica;

/**
 * Port: the replica's own thread, seen from outside. Other threads (transport, clients, the apply
 * lane) hand work to the replica only by posting it here; the driver runs posted tasks in order,
 * then {@link Replica#process()}.
 */
@FunctionalInterface
public interface Inbox {
  /**
   * Queues {@code task} for the replica's thread; false when the inbox is full (the caller answers
   * BUSY).
   */
  boolean post(Runnable task);
}
