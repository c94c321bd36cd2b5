package leasekv.node;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import leasekv.fsm.ReadView;
import leasekv.fsm.StateMachine;
import leasekv.raft.LeaseState;
import leasekv.raft.ProposalRejectedException;
import leasekv.raft.ReadState;
import leasekv.raft.Role;
import leasekv.server.ErrorWord;
import leasekv.server.KvException;
import leasekv.server.ReadMode;

/**
 * Linearizable reads on the leader: from the lease when it is valid, else by a ReadIndex round.
 *
 * <p>A lease read (rules 9 and 10 of docs/.../lease-and-durability-rules.md):
 * <ol>
 *   <li>at arrival, take the fence: the commit index of the published lease state, if this leader
 *       has committed an entry of its own term (else ReadIndex); every write acknowledged before
 *       this read began is at or below it (this leader publishes before it applies, and a previous
 *       leader's writes are below its own-term commit);
 *   <li>wait until the state machine has applied the fence;
 *   <li>acquire the state-machine snapshot, THEN sample the clock and check the lease: a pause
 *       anywhere before the check only makes the check stricter, and the snapshot was taken while
 *       the lease held, so the read is linearized at the snapshot;
 *   <li>if the lease does not hold (or the term changed), fall back to ReadIndex.
 * </ol>
 */
final class ReadPath {
  /** Reads a value out of a state-machine snapshot. */
  interface ReadFn<T> {
    T read(ReadView view) throws Exception;
  }

  /** A value together with how it was served. */
  record Served<T>(T value, ReadMode mode, long term, long appliedIndex) {}

  private record PendingRead(ReadFn<?> fn, CompletableFuture<Served<?>> future) {}

  private final ReadModeSetting mode;
  private final AdjustableClock clock;
  private final StateMachine fsm;
  private final AppliedWaiters waiters;
  private final NodeMetrics metrics;
  private Function<String, KvException> notLeader;
  private final Map<Long, PendingRead> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile boolean serving;
  private RaftLoop loop;

  ReadPath(ReadModeSetting mode, AdjustableClock clock, StateMachine fsm, AppliedWaiters waiters,
      NodeMetrics metrics, Function<String, KvException> notLeader) {
    this.mode = mode;
    this.clock = clock;
    this.fsm = fsm;
    this.waiters = waiters;
    this.metrics = metrics;
    this.notLeader = notLeader;
  }

  /** How to say "not the leader" (naming the leader's client address when known). */
  void setNotLeader(Function<String, KvException> notLeaderError) {
    this.notLeader = notLeaderError;
  }

  void attach(RaftLoop raftLoop) {
    this.loop = raftLoop;
    raftLoop.onLeadershipLost(this::failAll);
  }

  /** Replay is done: from now on reads are served. */
  void startServing() {
    serving = true;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  <T> CompletableFuture<Served<T>> read(ReadFn<T> fn) {
    CompletableFuture<Served<T>> future = new CompletableFuture<>();
    if (!serving) {
      future.completeExceptionally(new KvException(ErrorWord.NOTREADY, "replaying the log"));
      return future;
    }
    LeaseState arrival = loop.leaseState();
    if (arrival.role() != Role.LEADER) {
      future.completeExceptionally(notLeader.apply(arrival.leaderId()));
      return future;
    }
    if (mode == ReadModeSetting.READ_INDEX || !fenceIsComplete(arrival)) {
      readIndex(fn, (CompletableFuture) future);
    } else {
      long fence = arrival.commitIndex();
      waiters.whenApplied(fence, () -> tryLease(fn, arrival.term(), fence, future));
    }
    return future;
  }

  /**
   * Whether the arrival state's commit index covers every write acknowledged so far. Only once
   * this leader has committed an entry of its own term: before that, a previous leader may have
   * committed and acknowledged entries this leader holds but does not know are committed. Such a
   * read goes to ReadIndex, which waits for the own-term commit. (Checking only later, in
   * {@link #tryLease}, is not enough: by then the lease may hold, but the fence was taken too low;
   * the harness caught exactly that as a stale read right after a leadership transfer.)
   */
  private static boolean fenceIsComplete(LeaseState arrival) {
    return arrival.committedInOwnTerm() || arrival.ownTermCommitCheckDisabled();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private <T> void tryLease(ReadFn<T> fn, long term, long fence, CompletableFuture<Served<T>> future) {
    try (ReadView view = fsm.readView()) {
      long now = clock.nanoTime(); // after the snapshot, never before it
      LeaseState current = loop.leaseState();
      if (current.term() == term && current.canServeLeaseRead(now) && view.appliedIndex() >= fence) {
        T value = fn.read(view);
        metrics.leaseRead(true);
        ReadMode how = current.leaseCheckDisabled() ? ReadMode.LOCAL_UNSAFE : ReadMode.LEASE;
        future.complete(new Served<>(value, how, term, view.appliedIndex()));
        return;
      }
    } catch (Exception e) {
      future.completeExceptionally(e);
      return;
    }
    metrics.leaseRead(false);
    readIndex(fn, (CompletableFuture) future);
  }

  private void readIndex(ReadFn<?> fn, CompletableFuture<Served<?>> future) {
    long id = ids.incrementAndGet();
    pending.put(id, new PendingRead(fn, future));
    metrics.readIndexRound();
    boolean queued = loop.execute(() -> {
      try {
        loop.core().readIndex(id);
      } catch (ProposalRejectedException e) {
        fail(id, notLeader.apply(e.leaderId()));
      }
    });
    if (!queued) fail(id, new KvException(ErrorWord.BUSY, "the node's request queue is full"));
  }

  /** Loop thread: the core confirmed (or gave up on) ReadIndex requests. */
  void onReadStates(List<ReadState> states, List<Long> aborted) {
    for (ReadState rs : states) {
      PendingRead p = pending.remove(rs.requestId());
      if (p == null) continue;
      long term = loop.core().term();
      waiters.whenApplied(rs.readIndex(), () -> serveAt(p, rs.readIndex(), term));
    }
    for (long id : aborted) fail(id, notLeader.apply(loop.core().leaderId()));
  }

  private void serveAt(PendingRead p, long readIndex, long term) {
    try (ReadView view = fsm.readView()) {
      if (view.appliedIndex() < readIndex) {
        throw new IllegalStateException("snapshot at " + view.appliedIndex() + " is behind read index " + readIndex);
      }
      p.future().complete(new Served<>(p.fn().read(view), ReadMode.READ_INDEX, term, view.appliedIndex()));
    } catch (Exception e) {
      p.future().completeExceptionally(e);
    }
  }

  private void fail(long id, KvException e) {
    PendingRead p = pending.remove(id);
    if (p != null) p.future().completeExceptionally(e);
  }

  private void failAll() {
    for (Long id : List.copyOf(pending.keySet())) fail(id, notLeader.apply(null));
  }

}
