package leasekv.node;

import java.util.function.LongSupplier;

/**
 * The node's wall clock (calendar time), which the harness can step either way with {@code ADMIN
 * CLOCK WALL-STEP ms} (test hooks only), as NTP or an operator does to a real one.
 *
 * <p>Nothing that decides safety may read it: leases, election timers and request deadlines run on
 * the monotonic {@link AdjustableClock}. It exists so that the harness's clock faults also reach
 * the clock a wrongly built store would use (one that anchored or checked its lease on wall time
 * would be caught by a backward step), while the safe store must not be affected by any step.
 */
public final class WallClock {
  private final LongSupplier sourceMillis;
  private long offsetMillis;

  public WallClock(LongSupplier sourceMillis) {
    this.sourceMillis = sourceMillis;
  }

  /** The system's wall clock ({@code System.currentTimeMillis}) with no offset. */
  public static WallClock system() {
    return new WallClock(System::currentTimeMillis);
  }

  /** Milliseconds since the epoch, as this node's wall clock reads now. */
  public synchronized long currentTimeMillis() {
    return sourceMillis.getAsLong() + offsetMillis;
  }

  /** Jumps by {@code millis}: forward when positive, backward when negative. */
  public synchronized void step(long millis) {
    offsetMillis = Math.addExact(offsetMillis, millis);
  }

  /** Back to the source's time: what a clock correction after a fault does. */
  public synchronized void reset() {
    offsetMillis = 0;
  }

  /** The sum of the steps taken since the last reset, in milliseconds (negative: behind). */
  public synchronized long offsetMillis() {
    return offsetMillis;
  }
}
