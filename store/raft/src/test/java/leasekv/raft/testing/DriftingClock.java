package leasekv.raft.testing;

import java.util.function.LongSupplier;
import leasekv.raft.Clock;

/**
 * A node's monotonic clock in a simulation: it runs at {@code rate} times the simulation's real time
 * (piecewise: the rate can change, the reading never jumps back), from an arbitrary start reading.
 */
public final class DriftingClock implements Clock {
  private final LongSupplier realNanos;
  private long anchorRealNanos;
  private long anchorClockNanos;
  private double rate;

  public DriftingClock(LongSupplier realNanos, long startClockNanos, double rate) {
    if (rate <= 0) throw new IllegalArgumentException("clock rate must be positive, was " + rate);
    this.realNanos = realNanos;
    this.anchorRealNanos = realNanos.getAsLong();
    this.anchorClockNanos = startClockNanos;
    this.rate = rate;
  }

  @Override
  public long nanoTime() {
    return anchorClockNanos + (long) Math.floor((realNanos.getAsLong() - anchorRealNanos) * rate);
  }

  /** From now on the clock advances {@code newRate} times as fast as real time. */
  public void setRate(double newRate) {
    if (newRate <= 0) throw new IllegalArgumentException("clock rate must be positive, was " + newRate);
    anchorClockNanos = nanoTime();
    anchorRealNanos = realNanos.getAsLong();
    rate = newRate;
  }

  public double rate() {
    return rate;
  }

  /** The real time at which this clock will read at least {@code clockNanos} (at the current rate). */
  public long realTimeWhenReading(long clockNanos) {
    long now = realNanos.getAsLong();
    long ahead = clockNanos - nanoTime();
    if (ahead <= 0) return now;
    return now + (long) Math.ceil(ahead / rate) + 1;
  }
}
