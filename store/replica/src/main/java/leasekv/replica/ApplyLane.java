package leasekv.replica;

import java.util.concurrent.Callable;

/**
 * Port: where the state machine's work runs, in submission order, off the replica's own thread (the
 * node's apply thread; in the simulation, an apply queue that may lag or stall). Applying committed
 * entries there lets the next fsync overlap the previous batch's RocksDB write.
 */
public interface ApplyLane {
  /** Runs {@code job} after everything submitted before it. */
  void submit(Runnable job);

  /**
   * Runs {@code work} after everything submitted before it and returns its result; the calling
   * (replica) thread waits. Used where the replica must not go on before the state machine has
   * changed: a snapshot install.
   */
  <T> T call(Callable<T> work) throws Exception;
}
