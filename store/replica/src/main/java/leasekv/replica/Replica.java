package leasekv.replica;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import leasekv.fsm.ApplyResult;
import leasekv.fsm.Checkpoint;
import leasekv.fsm.Digest;
import leasekv.fsm.StateMachine;
import leasekv.raft.Clock;
import leasekv.raft.ConfChange;
import leasekv.raft.ConfState;
import leasekv.raft.EntryId;
import leasekv.raft.LeaseState;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.ProposalRejectedException;
import leasekv.raft.RaftConfig;
import leasekv.raft.RaftCore;
import leasekv.raft.Ready;
import leasekv.raft.Role;
import leasekv.raft.Status;
import leasekv.replica.ReplicaException.Refusal;

/**
 * One leasekv replica: the Raft core plus everything the store decides around it, with no threads,
 * sockets or wall clock inside. The node ({@code store/node}) and the deterministic simulation drive
 * this same class through its ports ({@link LogStore}, {@link StateMachine} over its engine, {@link
 * Transport}, {@link ApplyLane}, {@link Inbox}, {@link Clock}); see docs/replica.md.
 *
 * <h2>Driver contract</h2>
 * One thread (the replica's thread) calls every method not marked otherwise: it runs the tasks posted
 * to the {@link Inbox} and the inputs ({@link #receive}, {@link #propose}, ...), calls
 * {@link #onTimer()} once {@link #nanosUntilTimer()} has passed, and after a batch of inputs
 * calls {@link #process()}, which works off every Ready. Thread-safe: {@link #reads()}, {@link
 * #status()}, {@link #leaseState()}, {@link #appliedIndex()}, {@link #serving()}.
 *
 * <h2>The Ready order ({@link #process()})</h2>
 * <ol>
 *   <li>publish the Ready's lease state for readers, before any message leaves (a transfer's
 *       TimeoutNow must never overtake the lease being dropped; lease rule L7);
 *   <li>send the leader's own appends and heartbeats of its current term at once (see
 *       {@link #sendBeforePersist});
 *   <li>persist: install a snapshot (state machine first, then the log), append entries, write the
 *       hard state, and ONE sync for all of it if the Ready must sync (durability rule D3);
 *   <li>send every other message: votes, acknowledgements, TimeoutNow, any message of a non-leader;
 *   <li>hand committed entries to the apply lane; answer confirmed ReadIndex requests;
 *   <li>advance the core.
 * </ol>
 */
public final class Replica {
  private static final Logger LOG = System.getLogger("leasekv.raft");

  private record PendingTransfer(String target, long deadlineNanos, CompletableFuture<Void> future) {}

  private final ReplicaConfig config;
  private final RaftCore core;
  private final LogStore log;
  private final StateMachine fsm;
  private final Transport transport;
  private final ApplyLane lane;
  private final Clock clock;
  private final ReplicaMetrics metrics;
  private final Proposals proposals = new Proposals();
  private final AppliedWaiters waiters;
  private final ReadPath reads;
  private final Compaction compaction;
  private final ApplyPipeline pipeline;
  private final Snapshots snapshots;
  private final Ticker ticker;
  private final long replayTarget;
  private final boolean unsafeAckBeforeSync;
  private final List<PendingTransfer> transfers = new ArrayList<>();
  private volatile Status status;
  private Role lastRole;
  private long lastTerm = -1;
  private String lastLeader;

  private Replica(ReplicaConfig config, Ports ports) {
    this.config = config;
    this.log = ports.log();
    this.fsm = ports.stateMachine();
    this.transport = ports.transport();
    this.lane = ports.applyLane();
    this.clock = new SteadyClock(ports.clock()); // a backward step must not stretch a lease (L10)
    this.metrics = ports.metrics();
    Inbox inbox = ports.inbox();
    RaftConfig raft = config.raft().toBuilder().appliedIndex(fsm.appliedIndex())
        .unsafeModes(config.unsafe().coreModes()).build();
    this.core = new RaftCore(raft, log, clock, ports.random());
    this.waiters = new AppliedWaiters(fsm.appliedIndex());
    Clock leaseCheckClock = config.unsafe().has(UnsafeModes.Mode.LEASE_CHECK_ON_PROCESS_CLOCK) ? ports.processClock() : clock;
    this.reads = new ReadPath(config, leaseCheckClock, fsm, waiters, core, inbox, metrics);
    this.compaction = new Compaction(fsm, log, core, inbox, config);
    this.replayTarget = Math.max(log.hardState().commit(), fsm.appliedIndex());
    this.pipeline = new ApplyPipeline(fsm, lane, proposals, waiters, metrics, clock, this::afterApply);
    this.snapshots = new Snapshots(fsm, lane, transport, inbox, core, clock, config.bootstrapConf(), pipeline, proposals, log,
        config.unsafe().has(UnsafeModes.Mode.LOG_RESET_BEFORE_INSTALL));
    this.ticker = new Ticker(raft.tickNanos(), clock.nanoTime(), this::controlLanesReachQuorum);
    this.unsafeAckBeforeSync = config.unsafe().has(UnsafeModes.Mode.ACK_BEFORE_SYNC);
    this.status = core.status();
    if (fsm.appliedIndex() >= replayTarget) reads.startServing();
  }

  /**
   * Recovers a replica from what its log and state machine hold: checks that they describe one
   * history (completing an interrupted snapshot install), then builds the core, which replays the
   * committed entries the state machine lacks. Nothing is served until they are applied (durability
   * rule D5).
   *
   * @throws StateCorruptionException when the log and the state machine do not fit together
   */
  public static Replica recover(ReplicaConfig config, Ports ports) throws IOException {
    Objects.requireNonNull(config, "config");
    Recovery.reconcile(ports.log(), ports.stateMachine(), config.unsafe());
    return new Replica(config, ports);
  }

  // ------------------------------------------------------------------ inputs (replica thread)

  /** A message from a peer. */
  public void receive(Message m) {
    try {
      core.step(m);
    } catch (IllegalArgumentException e) {
      LOG.log(Level.WARNING, () -> "dropping " + m + ": " + e.getMessage());
    }
  }

  /** Proposes a state-machine command; completes with its result once applied, or with a {@link ReplicaException}. */
  public CompletableFuture<ApplyResult> propose(byte[] command) {
    CompletableFuture<ApplyResult> applied = new CompletableFuture<>();
    if (!reads.serving()) {
      applied.completeExceptionally(new ReplicaException(Refusal.NOT_READY, "replaying the log"));
      return applied;
    }
    try {
      EntryId id = core.propose(command);
      proposals.register(id, clock.nanoTime() + config.requestTimeoutNanos(), applied);
    } catch (ProposalRejectedException e) {
      applied.completeExceptionally(rejected(e));
    }
    return applied;
  }

  /** Proposes a single-voter membership change; completes once it is applied. */
  public CompletableFuture<ApplyResult> proposeConfChange(ConfChange change) {
    CompletableFuture<ApplyResult> applied = new CompletableFuture<>();
    try {
      EntryId id = core.proposeConfChange(change);
      proposals.register(id, clock.nanoTime() + config.requestTimeoutNanos(), applied);
    } catch (ProposalRejectedException e) {
      applied.completeExceptionally(rejected(e));
    } catch (IllegalArgumentException e) {
      applied.completeExceptionally(new ReplicaException(Refusal.INVALID, e.getMessage()));
    }
    return applied;
  }

  /** Hands leadership to {@code target}; completes once it leads, or with TIMEOUT after {@code timeoutNanos}. */
  public CompletableFuture<Void> transferLeadership(String target, long timeoutNanos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      core.transferLeadership(target);
      transfers.add(new PendingTransfer(target, clock.nanoTime() + timeoutNanos, done));
    } catch (ProposalRejectedException e) {
      done.completeExceptionally(rejected(e));
    }
    return done;
  }

  /** A whole checkpoint arrived from the leader with its INSTALL_SNAPSHOT message. */
  public void onSnapshotReceived(Message install, Checkpoint checkpoint) {
    snapshots.onReceived(install, checkpoint);
  }

  /** Runs the timer: ticks the core when due and expires requests. */
  public void onTimer() {
    long now = clock.nanoTime();
    if (ticker.tickIfDue(core, now) > 0) expire(now);
  }

  /**
   * How long until {@link #onTimer()} has work, in nanoseconds of the clock port (zero or less: now).
   * Relative, because the replica's readings may differ from the port's by absorbed backward steps.
   */
  public long nanosUntilTimer() {
    return ticker.nextTickNanos() - clock.nanoTime();
  }

  // ------------------------------------------------------------------ inputs (any thread)

  /** A snapshot/compaction pass on the apply lane (ADMIN SNAPSHOT); completes with the compaction target. */
  public CompletableFuture<Long> compactNow() {
    CompletableFuture<Long> done = new CompletableFuture<>();
    if (!reads.serving()) {
      done.completeExceptionally(new ReplicaException(Refusal.NOT_READY, "replaying the log"));
      return done;
    }
    lane.submit(() -> complete(done, () -> compaction.pass(pipeline.appliedIndex(), config.logRetainEntries())));
    return done;
  }

  /** The state machine's digest, taken on the apply lane between two batches. */
  public CompletableFuture<Digest> digest() {
    CompletableFuture<Digest> done = new CompletableFuture<>();
    lane.submit(() -> complete(done, fsm::digest));
    return done;
  }

  private interface Work<T> {
    T run() throws Exception;
  }

  private static <T> void complete(CompletableFuture<T> future, Work<T> work) {
    try {
      future.complete(work.run());
    } catch (Exception e) {
      future.completeExceptionally(e);
    }
  }

  // ------------------------------------------------------------------ the Ready order

  /** Works off every Ready the core has, in the order of the class documentation. */
  public void process() {
    while (core.hasReady()) {
      Ready rd = core.ready();
      reads.publish(rd.leaseState());
      List<Message> afterPersist = sendBeforePersist(rd);
      persist(rd);
      for (Message m : afterPersist) send(m);
      pipeline.submit(rd.committedEntries());
      reads.onReadStates(rd.readStates(), rd.abortedReadRequests());
      core.advance(rd);
    }
    reads.publish(core.leaseState());
    noticeRoleChange();
  }

  /**
   * Sends the leader's appends and heartbeats at once, so the followers write and fsync the new
   * entries while the leader fsyncs its own copy (Raft dissertation §10.2.1), and returns the
   * messages that must wait for this Ready to be durable.
   *
   * <p>Why this is safe: the core counts the leader itself toward a commit only with its persisted
   * last index, which moves in {@code advance()}, after the sync; a commit without the leader's copy
   * needs a majority of followers that made the entries durable, which is a commit in Raft's sense.
   * Follower acks are handled on this thread, so none is even looked at before the sync returns. An
   * append carries only the commit index of earlier Readys. If the leader crashes before its sync,
   * followers hold entries the leader lost: uncommitted entries, which Raft already handles. Every
   * message whose meaning is "I have durably stored this" (append and vote responses, and every
   * message of a node that is not leader) still leaves only after the sync, as does TimeoutNow.
   */
  private List<Message> sendBeforePersist(Ready rd) {
    if (unsafeAckBeforeSync) { // UNSAFE ack-before-sync: everything leaves before the log is durable
      for (Message m : rd.messages()) send(m);
      return List.of();
    }
    if (rd.leaseState().role() != Role.LEADER || rd.messages().isEmpty()) return rd.messages();
    List<Message> later = new ArrayList<>();
    for (Message m : rd.messages()) {
      boolean replication = m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT;
      if (replication && m.from().equals(core.id()) && m.term() == rd.leaseState().term()) {
        send(m);
      } else {
        later.add(m);
      }
    }
    return later;
  }

  private void persist(Ready rd) {
    try {
      if (rd.snapshot() != null) snapshots.install(rd.snapshot());
      if (!rd.entries().isEmpty()) log.append(rd.entries());
      if (rd.hardState() != null) log.setHardState(rd.hardState());
      if (rd.mustSync()) log.sync();
    } catch (IOException e) {
      // A log that failed to write or sync may have lost what it acknowledged: never go on.
      throw new ReplicaFailure("log write failed", e);
    }
  }

  private void send(Message m) {
    if (m.type() == MessageType.INSTALL_SNAPSHOT) {
      snapshots.send(m);
      return;
    }
    // A full replication queue means the follower is not keeping up or not reachable: let the core
    // fall back to probing instead of streaming appends into the void.
    if (!transport.send(m) && m.type() == MessageType.APPEND) core.reportUnreachable(m.to());
  }

  // ------------------------------------------------------------------ after each step

  /** Apply lane, after every batch. */
  private void afterApply(long appliedIndex) {
    compaction.afterApply(appliedIndex);
    if (!reads.serving() && appliedIndex >= replayTarget) {
      reads.startServing();
      LOG.log(Level.INFO, () -> "serving: replayed through " + appliedIndex);
    }
  }

  private void expire(long now) {
    int expired = proposals.expire(now);
    if (expired > 0) metrics.proposalsTimedOut(expired);
    for (Iterator<PendingTransfer> it = transfers.iterator(); it.hasNext(); ) {
      PendingTransfer t = it.next();
      if (now - t.deadlineNanos() >= 0) {
        it.remove();
        t.future().completeExceptionally(new ReplicaException(Refusal.TIMEOUT,
            "leadership did not move to " + t.target() + " in time (leader is " + core.leaderId() + ")"));
      }
    }
  }

  private void noticeRoleChange() {
    Status s = core.status();
    status = s;
    if (s.role() != lastRole || s.term() != lastTerm || !Objects.equals(s.leaderId(), lastLeader)) {
      LOG.log(Level.INFO, () -> "role=" + s.role().name().toLowerCase().replace('_', '-') + " term=" + s.term()
          + " leader=" + (s.leaderId() == null ? "none" : s.leaderId()) + " commit=" + s.commitIndex() + " last="
          + s.lastIndex() + (s.role() == Role.FOLLOWER && lastRole == Role.LEADER ? " reason=" + core.lastStepDownReason() : ""));
      if (!Objects.equals(s.leaderId(), lastLeader) && s.leaderId() != null) metrics.leaderChanged();
      boolean lostLeadership = lastRole == Role.LEADER && (s.role() != Role.LEADER || s.term() != lastTerm);
      lastRole = s.role();
      lastTerm = s.term();
      lastLeader = s.leaderId();
      if (lostLeadership) {
        proposals.failAll(Refusal.UNCERTAIN, "leadership lost before the write was known to commit");
        reads.failAll();
      }
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

  /** True when this node and the voters its control lanes reach make a quorum of the current configuration. */
  private boolean controlLanesReachQuorum() {
    ConfState conf = core.conf();
    int reached = 1;
    for (String voter : conf.voters()) {
      if (!voter.equals(core.id()) && transport.isConnected(voter)) reached++;
    }
    return reached >= conf.quorum();
  }

  private static ReplicaException rejected(ProposalRejectedException e) {
    return switch (e.reason()) {
      case NOT_LEADER -> ReplicaException.notLeader(e.leaderId());
      case INVALID_CONF_CHANGE -> new ReplicaException(Refusal.INVALID, e.leaderId(), e.getMessage());
      default -> new ReplicaException(Refusal.BUSY, e.leaderId(), e.getMessage());
    };
  }

  // ------------------------------------------------------------------ observation (any thread)

  /** The lease-read and ReadIndex path; callable from any thread. */
  public ReadPath reads() {
    return reads;
  }

  /** The core's status after the last {@link #process()}. */
  public Status status() {
    return status;
  }

  /** The lease state published last. */
  public LeaseState leaseState() {
    return reads.published();
  }

  /** The index of the last entry the state machine applied. */
  public long appliedIndex() {
    return pipeline.appliedIndex();
  }

  /** Whether the log is replayed and clients are served. */
  public boolean serving() {
    return reads.serving();
  }

  /** The commit index (or applied index) replay must reach before serving. */
  public long replayTarget() {
    return replayTarget;
  }

  public String id() {
    return core.id();
  }

  /** The membership in effect. Replica thread only. */
  public ConfState conf() {
    return core.conf();
  }

  /** The core's current lease length. */
  public long leaseNanos() {
    return core.config().leaseNanos();
  }

  /** Why the core last stepped down on its own, for logs. Replica thread only. */
  public String lastStepDownReason() {
    return core.lastStepDownReason();
  }

  /** The core itself, for tests that look inside. Replica thread only. */
  RaftCore core() {
    return core;
  }
}
