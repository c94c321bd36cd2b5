package leasekv.node;

import leasekv.raft.Clock;

/**
 * The node's only time source: monotonic, but with a rate and forward steps that the harness's
 * clock faults can change through {@code ADMIN CLOCK} (test hooks only).
 *
 * <p>Readings never go backwards: a rate change re-anchors at the current reading, and a step only
 * moves forward. A rate below 1 models a slow oscillator on this node (its leases then last longer
 * in real time), a rate above 1 a fast one; both are what the clock-drift bound must cover.
 */
public final class AdjustableClock implements Clock {
  private final Clock source;
  private long anchorSourceNanos;
  private long anchorReadingNanos;
  private double rate = 1.0;
  private long stepNanos;
  private long lastReadingNanos = Long.MIN_VALUE;

  public AdjustableClock(Clock source) {
    this.source = source;
    this.anchorSourceNanos = source.nanoTime();
    this.anchorReadingNanos = anchorSourceNanos;
  }

  @Override
  public synchronized long nanoTime() {
    long elapsed = source.nanoTime() - anchorSourceNanos;
    long reading = anchorReadingNanos + (long) (elapsed * rate);
    // Rounding in a rate change must not make two readings go backwards.
    if (reading < lastReadingNanos) reading = lastReadingNanos;
    lastReadingNanos = reading;
    return reading;
  }

  /** From now on, this clock advances {@code newRate} times as fast as the source. */
  public synchronized void setRate(double newRate) {
    if (!(newRate > 0 && newRate <= 100)) {
      throw new IllegalArgumentException("clock rate must be in (0, 100], was " + newRate);
    }
    long now = nanoTime();
    anchorSourceNanos = source.nanoTime();
    anchorReadingNanos = now;
    rate = newRate;
  }

  /** Jumps forward; a monotonic clock never jumps back, so negative steps are refused. */
  public synchronized void stepForward(long nanos) {
    if (nanos < 0)
      throw new IllegalArgumentException(
          "a monotonic clock only steps forward, got " + nanos + " ns");
    anchorReadingNanos += nanos;
    stepNanos += nanos;
    lastReadingNanos = Long.MIN_VALUE;
  }

  /** Rate back to 1; steps already taken stay (the clock cannot go back). */
  public synchronized void reset() {
    setRate(1.0);
  }

  public synchronized double rate() {
    return rate;
  }

  /** Total forward steps taken so far, in nanoseconds. */
  public synchronized long steppedNanos() {
    return stepNanos;
  }

  /**
   * Converts a duration on this clock into real (source) nanoseconds, for sleeping until a
   * deadline.
   */
  public synchronized long toSourceNanos(long clockNanos) {
    return (long) Math.ceil(clockNanos / rate);
  }
}
