package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The apply lane's shutdown. A node closes its state machine right after the lane, so close must
 * not return while a job still runs, and a job that fails because the node is stopping is not a
 * reason to halt the process (in a test JVM with several nodes that ends every test at once).
 */
class ApplyThreadTest {
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();

  @Test
  void closeReturnsOnlyAfterTheRunningJobFinished() throws Exception {
    ApplyThread lane = new ApplyThread(fatal::set);
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean finished = new AtomicBoolean();
    lane.submit(() -> {
      started.countDown();
      busyFor(300); // a RocksDB write is not interruptible either
      finished.set(true);
    });
    assertTrue(started.await(5, TimeUnit.SECONDS));
    lane.close();
    assertTrue(finished.get(), "close returned while the job still ran");
    assertNull(fatal.get());
  }

  @Test
  void aJobStalledByTheTestHookDoesNotRunOnceTheLaneCloses() throws Exception {
    ApplyThread lane = new ApplyThread(fatal::set);
    lane.stall(10_000);
    AtomicBoolean ran = new AtomicBoolean();
    lane.submit(() -> ran.set(true));
    Thread.sleep(50); // the job is waiting for the stall's end
    lane.close();
    assertFalse(ran.get(), "the job ran against a state machine about to close");
    assertNull(fatal.get());
  }

  @Test
  void jobsQueuedBehindTheRunningOneAreDroppedAtClose() throws Exception {
    ApplyThread lane = new ApplyThread(fatal::set);
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean laterRan = new AtomicBoolean();
    lane.submit(() -> {
      started.countDown();
      busyFor(200);
    });
    lane.submit(() -> laterRan.set(true));
    assertTrue(started.await(5, TimeUnit.SECONDS));
    lane.close();
    assertFalse(laterRan.get(), "committed entries not yet applied replay from the log on restart");
  }

  @Test
  void aJobThatFailsWhileTheLaneClosesIsNotFatal() throws Exception {
    ApplyThread lane = new ApplyThread(fatal::set);
    CountDownLatch started = new CountDownLatch(1);
    lane.submit(() -> {
      started.countDown();
      busyFor(200);
      throw new IllegalStateException("the state machine is closed");
    });
    assertTrue(started.await(5, TimeUnit.SECONDS));
    lane.close();
    Thread.sleep(400); // past the job's end, whether or not close waited for it
    assertNull(fatal.get());
  }

  @Test
  void aJobThatFailsWhileTheNodeRunsIsFatal() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    ApplyThread lane = new ApplyThread(e -> {
      fatal.set(e);
      stopped.countDown();
    });
    lane.submit(() -> {
      throw new IllegalStateException("RocksDB write failed");
    });
    assertTrue(stopped.await(5, TimeUnit.SECONDS));
    assertEquals("RocksDB write failed", fatal.get().getMessage());
    lane.close();
  }

  @Test
  void aCallQueuedBehindTheRunningJobFailsAtCloseInsteadOfWaitingForever() throws Exception {
    ApplyThread lane = new ApplyThread(fatal::set);
    CountDownLatch started = new CountDownLatch(1);
    lane.submit(() -> {
      started.countDown();
      busyFor(200);
    });
    assertTrue(started.await(5, TimeUnit.SECONDS));
    CompletableFuture<Integer> call = CompletableFuture.supplyAsync(() -> {
      try {
        return lane.call(() -> 1);
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    });
    Thread.sleep(50); // the call is queued
    lane.close();
    ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertThrows(IllegalStateException.class, () -> lane.call(() -> 1), "a call after close");
  }

  private static void busyFor(long millis) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < end) Thread.onSpinWait();
  }
}
