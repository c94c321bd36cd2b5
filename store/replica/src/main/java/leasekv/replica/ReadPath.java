package leasekv.replica;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import leasekv.fsm.ReadView;
import leasekv.fsm.StateMachine;
import leasekv.raft.Clock;
import leasekv.raft.LeaseState;
import leasekv.raft.ProposalRejectedException;
import leasekv.raft.RaftCore;
import leasekv.raft.ReadState;
import leasekv.raft.Role;
import leasekv.replica.ReplicaException.Refusal;

/**
 * Linearizable reads on the leader: from the lease when it is valid, else by a ReadIndex round
 * (lease rules L9 and L10 of docs/rules.md).
 *
 * <p>A lease read:
 *
 * <ol>
 *   <li>at arrival, take the fence: the commit index of the published lease state, if this leader
 *       has committed an entry of its own term (else ReadIndex); every write acknowledged before
 *       this read began is at or below it (the replica publishes before it applies, and a previous
 *       leader's writes are below this leader's own-term commit);
 *   <li>wait until the state machine has applied the fence;
 *   <li>acquire the state-machine view, THEN sample the clock and check the lease: a pause anywhere
 *       before the check only makes the check stricter, and the view was taken while the lease
 *       held, so the read is linearized at the view;
 *   <li>if the lease does not hold (or the term changed), fall back to ReadIndex.
 * </ol>
 *
 * <p>Threads: {@link #read} from any thread; {@link #publish}, {@link #onReadStates} and {@link
 * #failAll} from the replica's thread. The core is touched only in tasks posted to the replica's
 * inbox and in {@link #onReadStates}.
 */
public final class ReadPath {
  /** Reads a value out of a state-machine view. */
  @FunctionalInterface
  public interface ReadFn<T> {
    T read(ReadView view) throws Exception;
  }

  private record PendingRead(ReadFn<?> fn, CompletableFuture<ServedRead<?>> future) {}

  private final ReadPolicy policy;
  private final boolean unsafeSkipApplyWait;
  private final Clock clock;
  private final StateMachine fsm;
  private final AppliedWaiters waiters;
  private final RaftCore core;
  private final Inbox inbox;
  private final ReplicaMetrics metrics;
  private final Map<Long, PendingRead> pending = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private volatile LeaseState published;
  private volatile boolean serving;

  ReadPath(
      ReplicaConfig config,
      Clock clock,
      StateMachine fsm,
      AppliedWaiters waiters,
      RaftCore core,
      Inbox inbox,
      ReplicaMetrics metrics) {
    this.policy = config.readPolicy();
    this.unsafeSkipApplyWait = config.unsafe().has(UnsafeModes.Mode.LEASE_READ_SKIPS_APPLY_WAIT);
    this.clock = clock;
    this.fsm = fsm;
    this.waiters = waiters;
    this.core = core;
    this.inbox = inbox;
    this.metrics = metrics;
    this.published = core.leaseState();
  }

  /**
   * Replica thread: the lease state readers see from now on (before any message of its Ready
   * leaves).
   */
  void publish(LeaseState state) {
    if (!state.equals(published)) {
      published = state;
      metrics.published(state);
    }
  }

  /** The lease state published last. */
  public LeaseState published() {
    return published;
  }

  /** The log is replayed: reads are served from now on. */
  void startServing() {
    serving = true;
  }

  public boolean serving() {
    return serving;
  }

  /**
   * Reads with {@code fn} linearizably; completes exceptionally with {@link ReplicaException} or
   * fn's exception.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public <T> CompletableFuture<ServedRead<T>> read(ReadFn<T> fn) {
    CompletableFuture<ServedRead<T>> future = new CompletableFuture<>();
    if (!serving) {
      future.completeExceptionally(new ReplicaException(Refusal.NOT_READY, "replaying the log"));
      return future;
    }
    LeaseState arrival = published;
    if (arrival.role() != Role.LEADER) {
      future.completeExceptionally(ReplicaException.notLeader(arrival.leaderId()));
      return future;
    }
    if (policy == ReadPolicy.READ_INDEX || !fenceIsComplete(arrival)) {
      readIndex(fn, (CompletableFuture) future);
    } else if (unsafeSkipApplyWait) {
      tryLease(
          fn, arrival.term(), 0, future); // UNSAFE lease-read-skips-apply-wait: no fence at all
    } else {
      long fence = arrival.commitIndex();
      waiters.whenApplied(fence, () -> tryLease(fn, arrival.term(), fence, future));
    }
    return future;
  }

  /**
   * Whether the arrival state's commit index covers every write acknowledged so far: only once this
   * leader has committed an entry of its own term. Before that, a previous leader may have
   * committed and acknowledged entries this leader holds but does not know are committed; such a
   * read goes to ReadIndex, which waits for the own-term commit. (Checking only later, in {@link
   * #tryLease}, is not enough: by then the lease may hold, but the fence was taken too low; the
   * harness caught exactly that as a stale read right after a leadership transfer.)
   */
  private static boolean fenceIsComplete(LeaseState arrival) {
    return arrival.committedInOwnTerm() || arrival.ownTermCommitCheckDisabled();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private <T> void tryLease(
      ReadFn<T> fn, long term, long fence, CompletableFuture<ServedRead<T>> future) {
    try (ReadView view = fsm.readView()) {
      long now = clock.nanoTime(); // after the view, never before it
      LeaseState current = published;
      if (current.term() == term
          && current.canServeLeaseRead(now)
          && view.appliedIndex() >= fence) {
        T value = fn.read(view);
        metrics.leaseRead(true);
        ServedRead.How how =
            current.leaseCheckDisabled() ? ServedRead.How.LOCAL_UNSAFE : ServedRead.How.LEASE;
        future.complete(new ServedRead<>(value, how, term, view.appliedIndex()));
        return;
      }
    } catch (Exception e) {
      future.completeExceptionally(e);
      return;
    }
    metrics.leaseRead(false);
    readIndex(fn, (CompletableFuture) future);
  }

  private void readIndex(ReadFn<?> fn, CompletableFuture<ServedRead<?>> future) {
    long id = ids.incrementAndGet();
    pending.put(id, new PendingRead(fn, future));
    metrics.readIndexRound();
    boolean queued =
        inbox.post(
            () -> {
              try {
                core.readIndex(id);
              } catch (ProposalRejectedException e) {
                fail(id, ReplicaException.notLeader(e.leaderId()));
              }
            });
    if (!queued) fail(id, new ReplicaException(Refusal.BUSY, "the replica's inbox is full"));
  }

  /** Replica thread: the core confirmed (or gave up on) ReadIndex requests. */
  void onReadStates(List<ReadState> states, List<Long> aborted) {
    for (ReadState rs : states) {
      PendingRead p = pending.remove(rs.requestId());
      if (p == null) continue;
      long term = core.term();
      waiters.whenApplied(rs.readIndex(), () -> serveAt(p, rs.readIndex(), term));
    }
    for (long id : aborted) fail(id, ReplicaException.notLeader(core.leaderId()));
  }

  private void serveAt(PendingRead p, long readIndex, long term) {
    try (ReadView view = fsm.readView()) {
      if (view.appliedIndex() < readIndex) {
        throw new IllegalStateException(
            "view at " + view.appliedIndex() + " is behind read index " + readIndex);
      }
      p.future()
          .complete(
              new ServedRead<>(
                  p.fn().read(view), ServedRead.How.READ_INDEX, term, view.appliedIndex()));
    } catch (Exception e) {
      p.future().completeExceptionally(e);
    }
  }

  private void fail(long id, ReplicaException e) {
    PendingRead p = pending.remove(id);
    if (p != null) p.future().completeExceptionally(e);
  }

  /** Replica thread: leadership was lost; every pending ReadIndex read fails (not served). */
  void failAll() {
    for (Long id : List.copyOf(pending.keySet())) fail(id, ReplicaException.notLeader(null));
  }
}
