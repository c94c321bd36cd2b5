package leasekv.replica.sim;

import java.util.function.LongSupplier;
import leasekv.raft.Clock;

/**
 * A node's monotonic clock source in the simulation: it runs at {@code rate} times the simulation's
 * real time from an arbitrary start reading, the rate can change, and it can be stepped in either
 * direction (what the replica makes of a step is the replica's business: see {@code SteadyClock}).
 */
final class SimClock implements Clock {
  private final LongSupplier realNanos;
  private long anchorRealNanos;
  private long anchorClockNanos;
  private double rate;

  SimClock(LongSupplier realNanos, long startClockNanos, double rate) {
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
  void setRate(double newRate) {
    if (newRate <= 0) throw new IllegalArgumentException("clock rate must be positive, was " + newRate);
    anchorClockNanos = nanoTime();
    anchorRealNanos = realNanos.getAsLong();
    rate = newRate;
  }

  /** Jumps the reading by {@code nanos}, forward (positive) or backward (negative). */
  void step(long nanos) {
    anchorClockNanos = nanoTime() + nanos;
    anchorRealNanos = realNanos.getAsLong();
  }

  double rate() {
    return rate;
  }

  /** The real time at which this clock will have advanced {@code ahead} nanoseconds (at the current rate, without steps). */
  long realTimeAfter(long ahead) {
    long now = realNanos.getAsLong();
    if (ahead <= 0) return now;
    return now + (long) Math.ceil(ahead / rate) + 1;
  }
}
