package leasekv.replica;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import leasekv.fsm.ApplyResult;
import leasekv.fsm.StateMachine;
import leasekv.raft.Clock;
import leasekv.raft.Entry;

/**
 * Hands committed entries to the state machine on the apply lane, in batches (one engine write
 * each), answers the proposals they complete, releases reads waiting for an applied index, starts
 * serving once the log is replayed, and lets compaction look after each batch.
 *
 * <p>Entries submitted while a batch is being applied are coalesced into the next one (up to {@link
 * #MAX_ENTRIES_PER_BATCH}): under load the state machine writes fewer, larger batches.
 */
final class ApplyPipeline {
  static final int MAX_ENTRIES_PER_BATCH = 4096;

  /** Told after every batch, on the apply lane. */
  interface Listener {
    void afterApply(long appliedIndex);
  }

  private final StateMachine fsm;
  private final ApplyLane lane;
  private final Proposals proposals;
  private final AppliedWaiters waiters;
  private final ReplicaMetrics metrics;
  private final Clock clock;
  private final Listener listener;
  private final ConcurrentLinkedQueue<Entry> queued = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile long appliedIndex;

  ApplyPipeline(
      StateMachine fsm,
      ApplyLane lane,
      Proposals proposals,
      AppliedWaiters waiters,
      ReplicaMetrics metrics,
      Clock clock,
      Listener listener) {
    this.fsm = fsm;
    this.lane = lane;
    this.proposals = proposals;
    this.waiters = waiters;
    this.metrics = metrics;
    this.clock = clock;
    this.listener = listener;
    this.appliedIndex = fsm.appliedIndex();
  }

  /** Replica thread: queues committed entries, in log order. */
  void submit(List<Entry> entries) {
    if (entries.isEmpty()) return;
    queued.addAll(entries);
    if (draining.compareAndSet(false, true)) lane.submit(this::drain);
  }

  /** The index of the last entry applied (any thread). */
  long appliedIndex() {
    return appliedIndex;
  }

  /**
   * After a snapshot install replaced the state machine wholesale (apply lane, or the replica
   * thread waiting on it).
   */
  void onRestored(long index) {
    if (index > appliedIndex) appliedIndex = index;
    waiters.release(index);
  }

  /** Apply lane: applies everything queued, batch by batch. */
  private void drain() {
    List<Entry> batch = new ArrayList<>();
    while (true) {
      for (Entry e; batch.size() < MAX_ENTRIES_PER_BATCH && (e = queued.poll()) != null; )
        batch.add(e);
      if (batch.isEmpty()) {
        draining.set(false);
        // an entry queued after the last poll but before the flag dropped must not be stranded
        if (queued.isEmpty() || !draining.compareAndSet(false, true)) return;
        continue;
      }
      apply(batch);
      batch.clear();
    }
  }

  private void apply(List<Entry> batch) {
    long start = clock.nanoTime();
    List<ApplyResult> results;
    try {
      results = fsm.apply(batch);
    } catch (Exception e) {
      // A state machine that cannot apply a committed entry cannot go on: its replicas would
      // diverge.
      throw new ReplicaFailure(
          "cannot apply entries "
              + batch.get(0).index()
              + ".."
              + batch.get(batch.size() - 1).index(),
          e);
    }
    metrics.applyBatch(batch.size(), clock.nanoTime() - start);
    for (int i = 0; i < batch.size(); i++) proposals.onApplied(batch.get(i), results.get(i));
    long last = batch.get(batch.size() - 1).index();
    if (last > appliedIndex) appliedIndex = last;
    waiters.release(last);
    listener.afterApply(last);
  }
}
