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
 * <p>Proposals that arrive while a fsync runs wait in the inbox and go into the next Ready together,
 * so the number of fsyncs per second, not per write, bounds throughput (group commit).
 */
final class RaftLoop implements Runnable {
  private static final Logger LOG = System.getLogger("leasekv.raft");
  private static final int MAX_TASKS_PER_TURN = 4096;

  private final ReplicaInbox inbox;
  private final Replica replica;
  private final AdjustableClock clock;
  private volatile boolean running = true;
  private Thread thread;

  RaftLoop(ReplicaInbox inbox, Replica replica, AdjustableClock clock) {
    this.inbox = inbox;
    this.replica = replica;
    this.clock = clock;
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
      // A log that failed to write or sync may have lost what it acknowledged; a replica that failed
      // halfway through a Ready cannot go on either: stop the process, the log replays on restart.
      LOG.log(Level.ERROR, "FATAL: the replica failed, stopping the node", e);
      Runtime.getRuntime().halt(1);
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

  void stop() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
