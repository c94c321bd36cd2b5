package leasekv.raft;

/**
 * The only source of time for the core and for every lease decision in the node.
 *
 * <p>It is monotonic: it models {@code System.nanoTime()}, never wall-clock time, so a wall-clock
 * step cannot stretch a lease. Tests and the harness's clock faults inject a clock that runs at
 * another rate or is stepped forward.
 */
@FunctionalInterface
public interface Clock {
  /** Monotonic nanoseconds; only differences between two readings are meaningful. */
  long nanoTime();

  Clock SYSTEM = System::nanoTime;
}
