package leasekv.node;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.function.Consumer;
import leasekv.replica.Replica;

/**
 * The replica's thread. Each turn it runs the tasks other threads posted (peer messages, proposals,
 * ReadIndex requests, admin commands), runs the replica's timer when the clock reaches it, and then
 * lets the replica work off every Ready ({@link Replica#process()}, where the order is decided).
 *
 * <p>Proposals that arrive while a fsync runs wait in the inbox and go into the next Ready
 * together, so the number of fsyncs per second, not per write, bounds throughput (group commit).
 */
final class RaftLoop implements Runnable {
  private static final Logger LOG = System.getLogger("leasekv.raft");
  private static final int MAX_TASKS_PER_TURN = 4096;
  private static final long STOP_WAIT_MILLIS = 5_000;

  private final ReplicaInbox inbox;
  private final Replica replica;
  private final AdjustableClock clock;
  private final Consumer<Throwable> onFatal;
  private volatile boolean running = true;
  private Thread thread;

  /** A loop whose failure halts the process. */
  RaftLoop(ReplicaInbox inbox, Replica replica, AdjustableClock clock) {
    this(inbox, replica, clock, e -> Runtime.getRuntime().halt(1));
  }

  /** A loop whose failure (while running) goes to {@code onFatal}, which must stop the node. */
  RaftLoop(
      ReplicaInbox inbox, Replica replica, AdjustableClock clock, Consumer<Throwable> onFatal) {
    this.inbox = inbox;
    this.replica = replica;
    this.clock = clock;
    this.onFatal = onFatal;
  }

  RaftLoop start() {
    thread = new Thread(this, "raft-loop");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  @Override
  public void run() {
    try {
      while (running) {
        runTasks(waitForWork());
        if (replica.nanosUntilTimer() <= 0) replica.onTimer();
        replica.process();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      if (!running) {
        LOG.log(Level.WARNING, "the replica failed while stopping (the log replays on restart)", e);
        return;
      }
      // A log that failed to write or sync may have lost what it acknowledged; a replica that
      // failed
      // halfway through a Ready cannot go on either: stop the process, the log replays on restart.
      LOG.log(Level.ERROR, "FATAL: the replica failed, stopping the node", e);
      onFatal.accept(e);
    }
  }

  private Consumer<Replica> waitForWork() throws InterruptedException {
    long untilTimer = replica.nanosUntilTimer();
    if (untilTimer <= 0) return inbox.poll();
    return inbox.poll(clock.toSourceNanos(untilTimer));
  }

  private void runTasks(Consumer<Replica> first) {
    if (first == null) return;
    first.accept(replica);
    for (int n = 1; n < MAX_TASKS_PER_TURN; n++) {
      Consumer<Replica> next = inbox.poll();
      if (next == null) return;
      next.accept(replica);
    }
  }

  /**
   * Stops the loop after the turn in progress. It wakes the loop with an empty task rather than an
   * interrupt: the turn may be writing or syncing the WAL through a FileChannel, which an interrupt
   * closes (the WAL would fail, and so would the node). Only a loop still busy after {@link
   * #STOP_WAIT_MILLIS} is interrupted; whatever it throws then is the stop's doing, not fatal.
   */
  void stop() {
    running = false;
    if (thread == null) return;
    inbox.post(replica -> {});
    try {
      thread.join(STOP_WAIT_MILLIS);
      if (thread.isAlive()) {
        LOG.log(
            Level.WARNING,
            "the replica's thread is still busy "
                + STOP_WAIT_MILLIS
                + " ms after the stop; interrupting it");
        thread.interrupt();
        thread.join(STOP_WAIT_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
