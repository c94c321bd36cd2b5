package leasekv.node;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import leasekv.raft.LeaseState;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.RaftCore;
import leasekv.raft.Ready;
import leasekv.raft.Role;
import leasekv.raft.Status;
import leasekv.server.ErrorWord;
import leasekv.server.KvException;
import leasekv.wal.Wal;

/**
 * The one thread that drives the Raft core. Each turn it runs the tasks other threads queued (peer
 * messages, proposals, ReadIndex requests, admin commands), ticks the core on the node's clock, and
 * then works off every {@link Ready} in the order the core requires: publish the lease state,
 * persist (one fsync for the whole batch: group commit), send, hand committed entries to the
 * applier, advance.
 *
 * <p>Proposals that arrive while a fsync runs wait in the inbox and go into the next batch together,
 * so the number of fsyncs per second, not per write, bounds throughput.
 */
final class RaftLoop implements Runnable {
  private static final Log LOG = Log.of("raft");
  private static final int INBOX_CAPACITY = 200_000;
  private static final int MAX_TASKS_PER_TURN = 4096;
  private static final int MAX_CATCH_UP_TICKS = 3;

  private final RaftCore core;
  private final Wal wal;
  private final AdjustableClock clock;
  private final long tickNanos;
  private final Outbound outbound;
  private final Applier applier;
  private final Proposals proposals;
  private final SnapshotReceiver installer;
  private final ReadPath reads;
  private final NodeMetrics metrics;
  private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>(INBOX_CAPACITY);
  private final List<Runnable> leadershipListeners = new ArrayList<>();
  private final List<PendingTransfer> transfers = new ArrayList<>();

  private volatile LeaseState published;
  private volatile Status status;
  private volatile boolean running = true;
  private Thread thread;
  private Role lastRole;
  private long lastTerm = -1;
  private String lastLeader;
  private long nextTickNanos;
  private final BooleanSupplier reachesQuorum;
  private boolean reachedQuorum; // loop-confined; once true, stays true

  private record PendingTransfer(String target, long deadlineNanos, CompletableFuture<Void> future) {}

  /**
   * @param reachesQuorum whether this node's connections reach a quorum of its configuration's
   *     voters (asked on the loop's thread): the loop does not tick (so no election timer runs) until
   *     it first does. A node that cannot reach a quorum could not win an election anyway; and nodes that start together then begin their
   *     randomized timeouts when the last peer they need comes up, instead of queueing pre-votes
   *     that all arrive together once the connections exist and split the vote. Ticking later
   *     than real time is the safe direction (see {@link #tickIfDue}).
   */
  RaftLoop(RaftCore core, Wal wal, AdjustableClock clock, long tickNanos, Outbound outbound, Applier applier,
      Proposals proposals, SnapshotReceiver installer, ReadPath reads, NodeMetrics metrics, BooleanSupplier reachesQuorum) {
    this.reachesQuorum = reachesQuorum;
    this.core = core;
    this.wal = wal;
    this.clock = clock;
    this.tickNanos = tickNanos;
    this.outbound = outbound;
    this.applier = applier;
    this.proposals = proposals;
    this.installer = installer;
    this.reads = reads;
    this.metrics = metrics;
    this.published = core.leaseState();
    this.status = core.status();
  }

  RaftLoop start() {
    thread = new Thread(this, "raft-loop");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** The lease state published before the last batch of messages left; read by reader threads. */
  LeaseState leaseState() {
    return published;
  }

  /** The core's status after the last turn (for ROLE and INFO). */
  Status status() {
    return status;
  }

  /** Queues {@code task} for the loop thread; false when the inbox is full (the caller answers BUSY). */
  boolean execute(Runnable task) {
    return inbox.offer(task);
  }

  /** Runs {@code work} on the loop thread with access to the core; BUSY if the inbox is full. */
  <T> CompletableFuture<T> call(Callable<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (!execute(() -> {
      try {
        result.complete(work.call());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    })) {
      result.completeExceptionally(new KvException(ErrorWord.BUSY, "the node's request queue is full"));
    }
    return result;
  }

  /** Runs on the loop thread whenever this node stops being leader (to fail its pending requests). */
  void onLeadershipLost(Runnable listener) {
    leadershipListeners.add(listener);
  }

  /** Loop thread only: waits until {@code target} leads, or fails with TIMEOUT after {@code timeoutNanos}. */
  void awaitLeader(String target, long timeoutNanos, CompletableFuture<Void> future) {
    transfers.add(new PendingTransfer(target, clock.nanoTime() + timeoutNanos, future));
  }

  RaftCore core() {
    return core;
  }

  @Override
  public void run() {
    nextTickNanos = clock.nanoTime() + tickNanos;
    try {
      while (running) {
        runTasks(waitForWork());
        tickIfDue();
        processReady();
      }
    } catch (IOException e) {
      // A WAL that failed to write or fsync may have lost what it acknowledged: never go on.
      LOG.error("FATAL: WAL write failed, stopping the node", e);
      Runtime.getRuntime().halt(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("FATAL: raft loop failed, stopping the node", e);
      Runtime.getRuntime().halt(1);
    }
  }

  private Runnable waitForWork() throws InterruptedException {
    long untilTick = nextTickNanos - clock.nanoTime();
    if (untilTick <= 0) return inbox.poll();
    return inbox.poll(clock.toSourceNanos(untilTick), TimeUnit.NANOSECONDS);
  }

  private void runTasks(Runnable first) {
    if (first == null) return;
    first.run();
    for (int n = 1; n < MAX_TASKS_PER_TURN; n++) {
      Runnable next = inbox.poll();
      if (next == null) return;
      next.run();
    }
  }

  /**
   * Ticks once per tick of the node's clock. After a long stall (a GC pause, SIGSTOP) only a few
   * ticks are replayed: fewer ticks than real time only delays elections and vote grants, which is
   * the safe direction; the lease itself is measured on the clock, not in ticks.
   */
  private void tickIfDue() {
    long now = clock.nanoTime();
    if (!reachedQuorum && !(reachedQuorum = reachesQuorum.getAsBoolean())) {
      nextTickNanos = now + tickNanos; // ask again next tick
      return;
    }
    int ticks = 0;
    while (now - nextTickNanos >= 0 && ticks < MAX_CATCH_UP_TICKS) {
      core.tick();
      nextTickNanos += tickNanos;
      ticks++;
    }
    if (now - nextTickNanos >= 0) nextTickNanos = now + tickNanos;
    if (ticks > 0) housekeeping(now);
  }

  private void housekeeping(long now) {
    int expired = proposals.expire(now);
    if (expired > 0) metrics.proposalsTimedOut(expired);
    for (Iterator<PendingTransfer> it = transfers.iterator(); it.hasNext(); ) {
      PendingTransfer t = it.next();
      if (now - t.deadlineNanos() >= 0) {
        it.remove();
        t.future().completeExceptionally(new KvException(ErrorWord.TIMEOUT,
            "leadership did not move to " + t.target() + " in time (leader is " + core.leaderId() + ")"));
      }
    }
  }

  private void processReady() throws IOException {
    while (core.hasReady()) {
      Ready rd = core.ready();
      publish(rd.leaseState());
      List<Message> afterPersist = sendLeaderReplication(rd);
      persist(rd);
      for (Message m : afterPersist) outbound.send(m);
      applier.submit(rd.committedEntries());
      reads.onReadStates(rd.readStates(), rd.abortedReadRequests());
      core.advance(rd);
    }
    publish(core.leaseState());
    noticeRoleChange();
  }

  /**
   * Sends the leader's appends and heartbeats at once, so the followers write and fsync the new
   * entries while the leader fsyncs its own copy (Raft dissertation §10.2.1), and returns the
   * messages that must wait for this Ready to be durable.
   *
   * <p>Why this is safe: the core counts the leader itself toward a commit only with
   * {@code persistedLastIndex()}, which moves in {@code advance()}, after the fsync; a commit
   * without the leader's copy needs a majority of followers that made the entries durable, which is
   * a commit in Raft's sense. Follower acks are handled on this thread, so none is even looked at
   * before {@link #persist} returns. An append carries only the commit index of earlier turns. If the
   * leader crashes before its fsync, followers hold entries the leader lost: uncommitted entries,
   * which Raft already handles (a later leader overwrites or commits them). Everything whose
   * meaning is "I have durably stored this" (append and vote responses, and every message of a
   * node that is not leader) still leaves only after the fsync, as does TimeoutNow.
   */
  private List<Message> sendLeaderReplication(Ready rd) {
    if (rd.leaseState().role() != Role.LEADER || rd.messages().isEmpty()) return rd.messages();
    List<Message> later = new ArrayList<>();
    for (Message m : rd.messages()) {
      boolean replication = m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT;
      if (replication && m.from().equals(core.id()) && m.term() == rd.leaseState().term()) {
        outbound.send(m);
      } else {
        later.add(m);
      }
    }
    return later;
  }

  private void persist(Ready rd) throws IOException {
    if (rd.snapshot() != null) installer.install(rd.snapshot());
    if (!rd.entries().isEmpty()) wal.append(rd.entries());
    if (rd.hardState() != null) wal.setHardState(rd.hardState());
    if (rd.mustSync()) wal.sync();
  }

  private void publish(LeaseState s) {
    if (!s.equals(published)) {
      published = s;
      metrics.published(s);
    }
  }

  private void noticeRoleChange() {
    Status s = core.status();
    status = s;
    if (s.role() == lastRole && s.term() == lastTerm && Objects.equals(s.leaderId(), lastLeader)) {
      completeTransfers(s);
      return;
    }
    LOG.info("role=" + s.role().name().toLowerCase().replace('_', '-') + " term=" + s.term() + " leader="
        + (s.leaderId() == null ? "none" : s.leaderId()) + " commit=" + s.commitIndex() + " last=" + s.lastIndex()
        + (s.role() == Role.FOLLOWER && lastRole == Role.LEADER ? " reason=" + core.lastStepDownReason() : ""));
    if (!Objects.equals(s.leaderId(), lastLeader) && s.leaderId() != null) metrics.leaderChanged();
    boolean lostLeadership = lastRole == Role.LEADER && (s.role() != Role.LEADER || s.term() != lastTerm);
    lastRole = s.role();
    lastTerm = s.term();
    lastLeader = s.leaderId();
    if (lostLeadership) {
      proposals.failAll(ErrorWord.UNCERTAIN, "leadership lost before the write was known to commit");
      for (Runnable l : leadershipListeners) l.run();
    }
    completeTransfers(s);
  }

  private void completeTransfers(Status s) {
    if (transfers.isEmpty() || s.leaderId() == null) return;
    for (Iterator<PendingTransfer> it = transfers.iterator(); it.hasNext(); ) {
      PendingTransfer t = it.next();
      if (t.target().equals(s.leaderId())) {
        it.remove();
        t.future().complete(null);
      }
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
