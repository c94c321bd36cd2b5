package leasekv.node;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import leasekv.replica.ApplyLane;

/**
 * The replica's apply lane: one thread that runs the state machine's work in submission order. A
 * job that fails means a committed entry could not be applied or made durable: the node stops
 * (replicas must not diverge; the log replays on restart).
 *
 * <p>Closing lets the running job finish (the node closes the state machine next, and a RocksDB
 * write is not interruptible), drops the jobs behind it (their entries replay from the log), and
 * fails the calls behind it. A job that fails while the lane closes failed because the node is
 * stopping, and is not fatal.
 */
final class ApplyThread implements ApplyLane, AutoCloseable {
  private static final Logger LOG = System.getLogger("leasekv.apply");

  /** Longer than any one batch takes; a job still running then is left to the process's exit. */
  private static final long CLOSE_WAIT_MILLIS = 10_000;

  private final ApplyStall stall = new ApplyStall();
  private final Consumer<Throwable> onFatal;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "apply");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closing;

  /** A lane whose failed job halts the process. */
  ApplyThread() {
    this(e -> Runtime.getRuntime().halt(1));
  }

  /** A lane whose failed job (while open) goes to {@code onFatal}, which must stop the node. */
  ApplyThread(Consumer<Throwable> onFatal) {
    this.onFatal = onFatal;
  }

  @Override
  public void submit(Runnable job) {
    try {
      executor.execute(() -> run(job));
    } catch (RejectedExecutionException e) {
      if (!closing) throw e; // closed: the entry replays from the log on restart
    }
  }

  private void run(Runnable job) {
    if (!stall.awaitEnd() || closing) return;
    try {
      job.run();
    } catch (RuntimeException | Error e) {
      if (closing) {
        LOG.log(
            Level.WARNING,
            "an apply job failed while the node stopped; its entries replay from the log",
            e);
        return;
      }
      LOG.log(Level.ERROR, "FATAL: the apply lane failed, stopping the node", e);
      onFatal.accept(e);
    }
  }

  @Override
  public <T> T call(Callable<T> work) throws Exception {
    Future<T> f;
    try {
      f =
          executor.submit(
              () -> {
                if (closing) throw new IllegalStateException("the apply lane is closed");
                return work.call();
              });
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("the apply lane is closed", e);
    }
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }

  /**
   * Test hook ({@code ADMIN STALL-APPLY}): the lane starts no job for {@code millis} from now, so
   * committed entries wait unapplied (0 ends a stall at once). A batch being applied finishes
   * first.
   */
  void stall(long millis) {
    stall.stallFor(millis);
  }

  @Override
  public void close() {
    closing = true; // before the stall ends, so a stalled job wakes to find the lane closing
    stall.stallFor(0);
    executor.shutdown(); // queued jobs still run, but each returns at once (closing)
    try {
      if (!executor.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS))
        LOG.log(
            Level.WARNING,
            "the apply lane did not finish within " + CLOSE_WAIT_MILLIS + " ms of the stop");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
