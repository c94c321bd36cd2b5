package leasekv.node;

import java.util.concurrent.TimeUnit;

/**
 * A stall of the apply thread, set by a test hook: until its end the thread waits before applying
 * its next batch. Real (System.nanoTime) time on purpose: the fault models a thread that is slow,
 * whatever the node's injected clock says.
 */
final class ApplyStall {
  private long endNanos;
  private boolean active;

  /** Stalls from now for {@code millis}; 0 ends a stall in progress. */
  synchronized void stallFor(long millis) {
    active = millis > 0;
    endNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    notifyAll();
  }

  /**
   * Blocks until no stall is in force. Returns false when interrupted (the applier is stopping).
   */
  synchronized boolean awaitEnd() {
    try {
      while (active) {
        long left = endNanos - System.nanoTime();
        if (left <= 0) {
          active = false;
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
