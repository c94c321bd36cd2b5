package leasekv.raft.testing;

import leasekv.raft.Clock;

/** A clock that moves only when told to; starts at an arbitrary non-zero reading, as nanoTime does. */
public final class ManualClock implements Clock {
  private long nowNanos;

  public ManualClock(long startNanos) {
    this.nowNanos = startNanos;
  }

  @Override
  public long nanoTime() {
    return nowNanos;
  }

  public void advance(long nanos) {
    if (nanos < 0) throw new IllegalArgumentException("a monotonic clock cannot go back " + nanos + " ns");
    nowNanos += nanos;
  }
}
