package leasekv.node;

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
  private static final Log LOG = Log.of("apply");

  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "apply");
    t.setDaemon(true);
    return t;
  });

  @Override
  public void submit(Runnable job) {
    executor.execute(() -> {
      try {
        job.run();
      } catch (RuntimeException | Error e) {
        LOG.error("FATAL: the apply lane failed, stopping the node", e);
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

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
