package leasekv.replica;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import leasekv.fsm.Checkpoint;
import leasekv.fsm.StateMachine;
import leasekv.fsm.SyncMode;
import leasekv.raft.Entry;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.RaftConfig;
import leasekv.raft.testing.ManualClock;

/**
 * One replica ("n1" of n1, n2, n3) on in-memory ports, driven by hand: the apply lane runs each job at
 * once, the inbox queues tasks until {@link #runInbox()}, and the log and the transport record every
 * call in one list, {@link #calls}, so a test sees the order of writes, syncs and sends.
 */
final class ReplicaFixture {
  static final long TICK_NANOS = 10_000_000L;
  static final int ELECTION_TICKS = 10;

  final List<String> calls = new ArrayList<>();
  final MemoryLogStore log = new MemoryLogStore(calls);
  final StateMachine fsm;
  final ManualClock clock = new ManualClock(1_000_000_000L);
  final ManualClock processClock = new ManualClock(1_000_000_000L);
  final ArrayDeque<Runnable> inbox = new ArrayDeque<>();
  final List<Message> sent = new ArrayList<>();
  /** The replica's metric events, in order ("lease read hit", "read index round", "timed out 2", ...). */
  final List<String> metrics = new ArrayList<>();
  /** The lease state the replica had published when each message was sent. */
  final List<leasekv.raft.LeaseState> publishedAtSend = new ArrayList<>();
  final Set<String> disconnected = new HashSet<>();
  /** Peers whose replication queue is full: their messages are refused (send returns false). */
  final Set<String> fullQueues = new HashSet<>();
  final List<Consumer<Boolean>> snapshotsInFlight = new ArrayList<>();
  /** Apply-lane jobs not yet run; the lane runs each job at once unless {@link #holdLane} is set. */
  final ArrayDeque<Runnable> laneJobs = new ArrayDeque<>();
  boolean holdLane;
  /** When set, the inbox refuses tasks (it is full). */
  boolean inboxFull;
  final Replica replica;

  ReplicaFixture(UnsafeModes unsafe) throws Exception {
    this(unsafe, ReadPolicy.LEASE, 1_000, 0);
  }

  ReplicaFixture(ReadPolicy reads) throws Exception {
    this(UnsafeModes.NONE, reads, 1_000, 0);
  }

  ReplicaFixture(UnsafeModes unsafe, ReadPolicy reads, long snapshotIntervalEntries, long retainEntries) throws Exception {
    this(unsafe, reads, snapshotIntervalEntries, retainEntries, false, (log, fsm) -> {});
  }

  /** What a restarted node's disk holds before the replica recovers from it. */
  @FunctionalInterface
  interface Disk {
    void prepare(MemoryLogStore log, StateMachine fsm) throws Exception;
  }

  /**
   * @param holdLaneAtStart hold the apply lane from the start (the replay of a restarted node waits)
   * @param disk fills the log and the state machine before {@link Replica#recover} (a restart)
   */
  ReplicaFixture(UnsafeModes unsafe, ReadPolicy reads, long snapshotIntervalEntries, long retainEntries,
      boolean holdLaneAtStart, Disk disk) throws Exception {
    fsm = StateMachine.open(TrackedCheckpoint.engine(), SyncMode.NOSYNC, false);
    log.stateMachineApplied = fsm::appliedIndex;
    disk.prepare(log, fsm);
    holdLane = holdLaneAtStart;
    RaftConfig raft = RaftConfig.builder("n1").tickNanos(TICK_NANOS).electionTimeoutTicks(ELECTION_TICKS)
        .heartbeatIntervalTicks(2).initialVoters(List.of("n1", "n2", "n3")).build();
    ReplicaConfig config = new ReplicaConfig(raft, reads, 1_000_000_000L, snapshotIntervalEntries, retainEntries, unsafe);
    replica = Replica.recover(config, new Ports(log, fsm, transport(), lane(), task -> !inboxFull && inbox.add(task), clock, processClock,
        new Random(1), recorder()));
    runInbox(); // the first Ready: the bootstrap entry (1, the CONFIG entry of n1, n2, n3), or the replay
    clear();
  }

  private Transport transport() {
    return new Transport() {
      @Override
      public boolean send(Message m) {
        if (fullQueues.contains(m.to())) return false;
        if (replica != null) publishedAtSend.add(replica.leaseState());
        calls.add("send " + m.type() + " to " + m.to());
        sent.add(m);
        return true;
      }

      @Override
      public boolean isConnected(String peer) {
        return !disconnected.contains(peer);
      }

      @Override
      public void sendSnapshot(Message install, Checkpoint checkpoint, Consumer<Boolean> done) {
        calls.add("stream snapshot " + checkpoint.meta().index() + " to " + install.to());
        sent.add(install);
        snapshotsInFlight.add(done);
      }
    };
  }

  private ReplicaMetrics recorder() {
    return new ReplicaMetrics() {
      @Override public void leaseRead(boolean hit) { metrics.add(hit ? "lease read hit" : "lease read miss"); }
      @Override public void readIndexRound() { metrics.add("read index round"); }
      @Override public void applyBatch(int entries, long nanos) { metrics.add("apply batch " + entries + " in " + nanos + " ns"); }
      @Override public void proposalsTimedOut(int count) { metrics.add("timed out " + count); }
      @Override public void published(leasekv.raft.LeaseState state) { metrics.add("published " + state.role()); }
      @Override public void leaderChanged() { metrics.add("leader changed"); }
    };
  }

  private ApplyLane lane() {
    return new ApplyLane() {
      @Override
      public void submit(Runnable job) {
        laneJobs.add(job);
        if (!holdLane) runLane();
      }

      @Override
      public <T> T call(Callable<T> work) throws Exception {
        runLane();
        return work.call();
      }
    };
  }

  /** Runs the apply-lane jobs held so far (and what they submit). */
  void runLane() {
    while (!laneJobs.isEmpty()) laneJobs.poll().run();
  }

  /** The value of a future that must already be complete: a test never waits (a hang would be a timeout). */
  static <T> T done(java.util.concurrent.CompletableFuture<T> f) {
    org.junit.jupiter.api.Assertions.assertTrue(f.isDone(), "answered");
    return f.getNow(null);
  }

  /** Why a future that must already be complete was refused (a test never waits). */
  static ReplicaException refusal(java.util.concurrent.CompletableFuture<?> f) {
    org.junit.jupiter.api.Assertions.assertTrue(f.isCompletedExceptionally(), "refused");
    try {
      f.getNow(null);
      throw new AssertionError("not refused");
    } catch (java.util.concurrent.CompletionException e) {
      return (ReplicaException) e.getCause();
    }
  }

  /** Runs the posted tasks, then works off the Readys. */
  void runInbox() {
    do {
      while (!inbox.isEmpty()) inbox.poll().run();
      replica.process();
    } while (!inbox.isEmpty());
  }

  /** Leader: proposes {@code command}, has n2 acknowledge it, and returns the write's outcome. */
  java.util.concurrent.CompletableFuture<leasekv.fsm.ApplyResult> write(byte[] command) {
    clear();
    var result = replica.propose(command);
    runInbox();
    Message append = sent(MessageType.APPEND).stream().filter(m -> m.to().equals("n2")).reduce((a, b) -> b).orElseThrow();
    receive(ack(append));
    return result;
  }

  static byte[] set(String key, String value) {
    return leasekv.fsm.CommandCodec.encode(new leasekv.fsm.Command.Set(null,
        key.getBytes(java.nio.charset.StandardCharsets.UTF_8), value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  void receive(Message m) {
    replica.receive(m);
    runInbox();
  }

  /** Advances both clocks tick by tick, running the timer, until the replica is a candidate or leads. */
  void tick(int ticks) {
    for (int i = 0; i < ticks; i++) {
      clock.advance(TICK_NANOS);
      processClock.advance(TICK_NANOS);
      replica.onTimer();
      runInbox();
    }
  }

  /** Messages of {@code type} sent since the last {@link #clear()}. */
  List<Message> sent(MessageType type) {
    return sent.stream().filter(m -> m.type() == type).toList();
  }

  void clear() {
    calls.clear();
    sent.clear();
  }

  /** Makes n1 the leader of a new term with n2's votes, and has n2 acknowledge its first entry. */
  void electAndCommit() {
    for (int i = 0; i < 10 * ELECTION_TICKS && sent(MessageType.PRE_VOTE).isEmpty() && sent(MessageType.VOTE).isEmpty(); i++) {
      tick(1);
    }
    for (Message pv : sent(MessageType.PRE_VOTE)) {
      if (pv.to().equals("n2")) receive(reply(pv, MessageType.PRE_VOTE_RESPONSE, pv.term(), false));
    }
    Message vote = sent(MessageType.VOTE).stream().filter(m -> m.to().equals("n2")).findFirst().orElseThrow();
    receive(reply(vote, MessageType.VOTE_RESPONSE, vote.term(), false));
    Message append = sent(MessageType.APPEND).stream().filter(m -> m.to().equals("n2")).reduce((a, b) -> b).orElseThrow();
    receive(ack(append));
  }

  /** n2's or n3's successful answer to an append (or heartbeat). */
  static Message ack(Message m) {
    long last = m.entries().isEmpty() ? m.index() : m.entries().get(m.entries().size() - 1).index();
    MessageType type = m.type() == MessageType.APPEND ? MessageType.APPEND_RESPONSE : MessageType.HEARTBEAT_RESPONSE;
    return new Message(type, m.to(), m.from(), m.term(), 0, last, List.of(), 0, false, 0, null, m.seq(), false);
  }

  static Message reply(Message m, MessageType type, long term, boolean reject) {
    return new Message(type, m.to(), m.from(), term, 0, 0, List.of(), 0, reject, 0, null, m.seq(), false);
  }

  /** An append from leader n2 in {@code term}, after (index, logTerm), carrying {@code entries} and {@code commit}. */
  static Message appendFromN2(long term, long logTerm, long index, List<Entry> entries, long commit) {
    return new Message(MessageType.APPEND, "n2", "n1", term, logTerm, index, entries, commit, false, 0, null, 1, false);
  }
}
