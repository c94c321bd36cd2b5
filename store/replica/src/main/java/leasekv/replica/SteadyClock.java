package leasekv.replica;

import leasekv.raft.Clock;

/**
 * The replica's view of its clock port: readings never go backwards, and a backward step of the
 * source is absorbed rather than waited out.
 *
 * <p>Why absorb: a lease is anchored on one reading and checked on a later one. If the source steps
 * back by {@code d}, holding the last reading until the source catches up would freeze the clock for
 * {@code d} of real time, stretching every lease by {@code d} (rule L10 of docs/rules.md). Absorbing
 * the step instead (continuing from the last reading at the source's rate) keeps the clock's rate, so
 * leases and timers still measure real time; only the step itself is lost. A forward step cannot be
 * told from a pause and is left alone: it ends leases early (the safe direction) and rule L4 bounds
 * what it does to a vote refusal.
 *
 * <p>Thread-safe: the read path samples it off the replica's thread.
 */
final class SteadyClock implements Clock {
  private final Clock source;
  private long offsetNanos;
  private long lastReadingNanos;
  private boolean read;
  private long absorbedNanos;

  SteadyClock(Clock source) {
    this.source = source;
  }

  @Override
  public synchronized long nanoTime() {
    long reading = source.nanoTime() + offsetNanos;
    if (read && reading < lastReadingNanos) {
      long back = lastReadingNanos - reading;
      offsetNanos += back;
      absorbedNanos += back;
      reading = lastReadingNanos;
    }
    assert !read || reading >= lastReadingNanos : "steady clock went back";
    read = true;
    lastReadingNanos = reading;
    return reading;
  }

  /** The total of backward steps absorbed so far, in nanoseconds (for tests and metrics). */
  synchronized long absorbedNanos() {
    return absorbedNanos;
  }
}
