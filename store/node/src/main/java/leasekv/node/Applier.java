package leasekv.node;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongConsumer;
import leasekv.fsm.ApplyResult;
import leasekv.fsm.StateMachine;
import leasekv.raft.Entry;

/**
 * The apply thread: applies committed entries to the state machine in batches (one RocksDB write
 * each), answers the proposals they complete, releases reads waiting for an applied index, and
 * decides when the log may be compacted.
 *
 * <p>Everything that must see the state machine between two batches (checkpoints, restores,
 * digests, durability) runs here too, through {@link #call}, so it is ordered with the applies.
 */
final class Applier implements Runnable {
  private static final Log LOG = Log.of("apply");
  private static final int MAX_ENTRIES_PER_BATCH = 4096;

  private final StateMachine fsm;
  private final Proposals proposals;
  private final AppliedWaiters waiters;
  private final NodeMetrics metrics;
  private final Compaction compaction;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private volatile long appliedIndex;
  private volatile boolean running = true;
  private Thread thread;
  private final ApplyStall stall = new ApplyStall();

  /** When and how far the log may be compacted after applying. */
  interface Compaction {
    /** Called on the apply thread after each batch; may make the state machine durable. */
    void afterApply(long appliedIndex);
  }

  Applier(StateMachine fsm, Proposals proposals, AppliedWaiters waiters, NodeMetrics metrics, Compaction compaction) {
    this.fsm = fsm;
    this.proposals = proposals;
    this.waiters = waiters;
    this.metrics = metrics;
    this.compaction = compaction;
    this.appliedIndex = fsm.appliedIndex();
  }

  Applier start() {
    thread = new Thread(this, "apply");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** Queues committed entries, in log order. */
  void submit(List<Entry> entries) {
    if (!entries.isEmpty()) queue.add(entries);
  }

  /** Runs {@code work} on the apply thread after everything submitted before it. */
  <T> CompletableFuture<T> call(Callable<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    queue.add(new Task<>(work, result));
    return result;
  }

  long appliedIndex() {
    return appliedIndex;
  }

  /** Work queued and not yet done, for the replay barrier and tests. */
  int backlog() {
    return queue.size();
  }

  private record Task<T>(Callable<T> work, CompletableFuture<T> result) {
    void run() {
      try {
        result.complete(work.call());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }
  }

  @Override
  public void run() {
    List<Entry> batch = new ArrayList<>();
    while (running) {
      Object next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (next instanceof Task<?> task) {
        task.run();
        continue;
      }
      collect(batch, next);
      if (!stall.awaitEnd()) return;
      apply(batch);
      batch.clear();
    }
  }

  @SuppressWarnings("unchecked")
  private void collect(List<Entry> batch, Object first) {
    batch.addAll((List<Entry>) first);
    while (batch.size() < MAX_ENTRIES_PER_BATCH && queue.peek() instanceof List<?>) {
      batch.addAll((List<Entry>) queue.poll());
    }
  }

  private void apply(List<Entry> batch) {
    List<ApplyResult> results;
    long start = System.nanoTime();
    try {
      results = fsm.apply(batch);
    } catch (Exception e) {
      // A state machine that cannot apply a committed entry cannot go on: its replicas would diverge.
      LOG.error("FATAL: cannot apply entries " + batch.get(0).index() + ".." + batch.get(batch.size() - 1).index(), e);
      Runtime.getRuntime().halt(1);
      return;
    }
    metrics.applyBatch(batch.size(), System.nanoTime() - start);
    for (int i = 0; i < batch.size(); i++) proposals.onApplied(batch.get(i), results.get(i));
    long last = batch.get(batch.size() - 1).index();
    appliedIndex = last;
    waiters.release(last);
    compaction.afterApply(last);
  }

  /** After a snapshot install replaced the state machine wholesale. */
  void onRestored(long index) {
    appliedIndex = index;
    waiters.release(index);
  }

  /**
   * Test hook ({@code ADMIN STALL-APPLY}): applies nothing for {@code millis} from now, so committed
   * entries wait unapplied (0 ends a stall at once). Tasks queued ahead of the next batch still run;
   * everything behind it waits.
   */
  void stall(long millis) {
    stall.stallFor(millis);
  }

  void stop() {
    running = false;
    stall.stallFor(0);
    if (thread != null) thread.interrupt();
  }
}
