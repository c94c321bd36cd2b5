package leasekv.node;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import leasekv.replica.ApplyLane;

/**
 * The replica's apply lane: one thread that runs the state machine's work in submission order. A job
 * that fails means a committed entry could not be applied or made durable: the node stops (replicas
 * must not diverge; the log replays on restart).
 */
final class ApplyThread implements ApplyLane, AutoCloseable {
  private static final Logger LOG = System.getLogger("leasekv.apply");

  private final ApplyStall stall = new ApplyStall();
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "apply");
    t.setDaemon(true);
    return t;
  });

  @Override
  public void submit(Runnable job) {
    executor.execute(() -> {
      if (!stall.awaitEnd()) return; // stopping
      try {
        job.run();
      } catch (RuntimeException | Error e) {
        LOG.log(Level.ERROR, "FATAL: the apply lane failed, stopping the node", e);
        Runtime.getRuntime().halt(1);
      }
    });
  }

  @Override
  public <T> T call(Callable<T> work) throws Exception {
    Future<T> f = executor.submit(work);
    try {
      return f.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }

  /**
   * Test hook ({@code ADMIN STALL-APPLY}): the lane starts no job for {@code millis} from now, so
   * committed entries wait unapplied (0 ends a stall at once). A batch being applied finishes first.
   */
  void stall(long millis) {
    stall.stallFor(millis);
  }

  @Override
  public void close() {
    stall.stallFor(0);
    executor.shutdownNow();
  }
}
