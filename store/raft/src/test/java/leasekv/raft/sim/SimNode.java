package leasekv.raft.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import leasekv.raft.Entry;
import leasekv.raft.EntryId;
import leasekv.raft.EntryType;
import leasekv.raft.LeaseState;
import leasekv.raft.Message;
import leasekv.raft.ProposalRejectedException;
import leasekv.raft.RaftConfig;
import leasekv.raft.RaftCore;
import leasekv.raft.ReadState;
import leasekv.raft.Ready;
import leasekv.raft.Role;
import leasekv.raft.SnapshotMeta;
import leasekv.raft.testing.DriftingClock;
import leasekv.raft.testing.SimulatedDisk;

/**
 * One simulated store node: a real {@link RaftCore} driven the way the real node drives it, a WAL on
 * a {@link SimulatedDisk}, durable state-machine checkpoints (for compaction and snapshots), and an
 * in-memory KV state machine that is lost on a crash and rebuilt from checkpoint plus log replay.
 * Client requests arrive here and are answered through {@link SimClients}.
 */
final class SimNode {
  /** Where an armed crash strikes inside the next driver-loop iteration. */
  enum CrashPoint { BEFORE_FSYNC, BEFORE_SEND, MID_SEND, BEFORE_ADVANCE }

  private record PendingWrite(Op op, long term) {}

  private record AwaitingApply(Op op, long readIndex) {}

  private final Simulation sim;
  private final RaftConfig config;
  private final Random random;
  final String id;
  final DriftingClock clock;
  final SimulatedDisk disk = new SimulatedDisk();
  /** The "fsm dir": checkpoints by index, durable as soon as written. */
  private final TreeMap<Long, Map<String, String>> checkpoints = new TreeMap<>();
  private final Map<Long, Map<String, String>> incomingCheckpoints = new HashMap<>();
  private final ArrayDeque<Runnable> inbox = new ArrayDeque<>();
  private final Map<Long, List<PendingWrite>> pendingWrites = new HashMap<>();
  private final Map<Long, Op> readIndexRequests = new HashMap<>();
  private final List<AwaitingApply> awaitingApply = new ArrayList<>();
  private final int compactEveryEntries;
  /**
   * After a pause, a fixed-rate ticker catches up every missed tick at once; a Go-style ticker drops
   * them. Both keep "never more ticks than the clock advanced", which is all the lease needs.
   */
  private final boolean tickerCatchesUp;
  private RaftCore core;
  private boolean up;
  private long pausedUntilNanos = Long.MIN_VALUE;
  private Map<String, String> kv = new HashMap<>();
  private long appliedIndex;
  private LeaseState published;
  private long nextTickClockNanos;
  private int tickGeneration;
  private CrashPoint armedCrash;
  private long nextReadRequestId;
  private long observedLeaderTerm = -1;
  int crashes;

  SimNode(Simulation sim, RaftConfig config, DriftingClock clock, Random random) {
    this.sim = sim;
    this.config = config;
    this.id = config.id();
    this.clock = clock;
    this.random = random;
    this.compactEveryEntries = 16 + random.nextInt(64);
    this.tickerCatchesUp = random.nextBoolean();
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts (or restarts) the process: rebuild the state machine from its checkpoint, replay the log. */
  void start() {
    if (up) return;
    up = true;
    SnapshotMeta snapshot = disk.storage().snapshot();
    Map<String, String> image = snapshot.isEmpty() ? Map.of() : checkpoints.get(snapshot.index());
    if (image == null) throw new IllegalStateException(id + ": no checkpoint for the WAL's snapshot " + snapshot);
    kv = new HashMap<>(image);
    appliedIndex = snapshot.index();
    core = new RaftCore(config.toBuilder().appliedIndex(appliedIndex).build(), disk.storage(), clock, new Random(random.nextLong()));
    published = core.leaseState();
    observedLeaderTerm = -1;
    tickGeneration++;
    nextTickClockNanos = clock.nanoTime() + config.tickNanos();
    scheduleTick();
    loop();
  }

  /** kill -9 plus power loss: memory is gone, the disk keeps what was synced (and maybe a bit more). */
  void crash() {
    if (!up) return;
    up = false;
    crashes++;
    core = null;
    armedCrash = null;
    tickGeneration++;
    inbox.clear();
    incomingCheckpoints.clear();
    pendingWrites.clear();
    readIndexRequests.clear();
    awaitingApply.clear();
    disk.crash(random);
    checkpoints.headMap(disk.storage().snapshot().index()).clear();
  }

  void armCrash(CrashPoint point) {
    if (up) armedCrash = point;
  }

  /** A stop-the-world pause: everything addressed to the node waits, then runs in order. */
  void pause(long durationNanos) {
    if (!up) return;
    long until = sim.now() + durationNanos;
    if (until <= pausedUntilNanos) return;
    pausedUntilNanos = until;
    sim.loop().at(until, this::resumeIfDue);
  }

  void resumeNow() {
    pausedUntilNanos = Long.MIN_VALUE;
    drainInbox();
  }

  private void resumeIfDue() {
    if (sim.now() >= pausedUntilNanos) drainInbox();
  }

  private void drainInbox() {
    while (!inbox.isEmpty() && !isPaused()) {
      Runnable r = inbox.poll();
      if (up) r.run();
    }
  }

  boolean isUp() {
    return up;
  }

  boolean isPaused() {
    return sim.now() < pausedUntilNanos;
  }

  /** Runs {@code action} now, later if paused, or never if crashed. */
  private void run(Runnable action) {
    if (!up) return;
    if (isPaused() || !inbox.isEmpty()) {
      inbox.add(action);
      return;
    }
    action.run();
  }

  // ------------------------------------------------------------------ inputs

  private void scheduleTick() {
    int generation = tickGeneration;
    sim.loop().at(clock.realTimeWhenReading(nextTickClockNanos), () -> run(() -> onTick(generation)));
  }

  private void onTick(int generation) {
    if (generation != tickGeneration) return;
    // never more ticks than the clock has advanced: the election timer is what the lease relies on
    while (up && clock.nanoTime() - nextTickClockNanos >= 0) {
      core.tick();
      nextTickClockNanos += config.tickNanos();
      if (!tickerCatchesUp && clock.nanoTime() - nextTickClockNanos >= 0) {
        long behind = (clock.nanoTime() - nextTickClockNanos) / config.tickNanos() + 1;
        nextTickClockNanos += behind * config.tickNanos(); // drop the missed ticks
      }
    }
    loop();
    if (up && generation == tickGeneration) scheduleTick();
  }

  /** The clock rate changed: the next tick falls at another real time. */
  void rescheduleTicks() {
    if (!up) return;
    tickGeneration++;
    scheduleTick();
  }

  /** Returns false if the node is down (the transport would see the connection fail). */
  boolean receive(Message m, Map<String, String> checkpoint) {
    if (!up) return false;
    run(() -> {
      sim.trace(id, () -> "recv " + m);
      if (checkpoint != null) incomingCheckpoints.put(m.snapshot().index(), checkpoint);
      core.step(m);
      loop();
    });
    return true;
  }

  void reportSnapshot(String peer, boolean success) {
    run(() -> {
      core.reportSnapshot(peer, success);
      loop();
    });
  }

  void clientWrite(Op op) {
    run(() -> {
      try {
        EntryId at = core.propose((op.key + "\u0000" + op.writeValue).getBytes(StandardCharsets.UTF_8));
        pendingWrites.computeIfAbsent(at.index(), i -> new ArrayList<>()).add(new PendingWrite(op, at.term()));
      } catch (ProposalRejectedException e) {
        sim.clients().replyFail(op, e.leaderId());
      }
      loop();
    });
  }

  /**
   * A read as the real node serves it: take the state-machine snapshot, then sample the clock, then
   * load the published lease state; serve locally if the lease allows, else fall back to ReadIndex.
   */
  void clientRead(Op op) {
    run(() -> {
      String value = kv.get(op.key);
      long now = clock.nanoTime();
      LeaseState lease = published;
      sim.trace(id, () -> "read " + op.key + " lease=" + lease + " now=" + now + " applied=" + appliedIndex);
      if (lease.canServeLeaseRead(now) && appliedIndex >= lease.commitIndex()) {
        sim.clients().replyRead(op, value, id, "lease", lease.term());
        return;
      }
      try {
        long requestId = ++nextReadRequestId;
        core.readIndex(requestId);
        readIndexRequests.put(requestId, op);
      } catch (ProposalRejectedException e) {
        sim.clients().replyFail(op, e.leaderId());
      }
      loop();
    });
  }

  void transferLeadership(String target) {
    run(() -> {
      if (core.role() != Role.LEADER) return;
      try {
        core.transferLeadership(target);
      } catch (ProposalRejectedException ignored) {
        // e.g. the target was just removed
      }
      loop();
    });
  }

  void proposeConfChange(leasekv.raft.ConfChange change) {
    run(() -> {
      if (core.role() != Role.LEADER) return;
      try {
        core.proposeConfChange(change);
        sim.recordFault("conf change " + change.type() + " " + change.nodeId() + " proposed by " + id);
      } catch (ProposalRejectedException ignored) {
        // not now: another change in flight, no own-term commit yet, or a transfer
      }
      loop();
    });
  }

  // ------------------------------------------------------------------ the driver loop

  /** The node's loop: publish, persist (one fsync), send, apply, advance; until the core is idle. */
  private void loop() {
    while (up && core.hasReady()) {
      Ready r = core.ready();
      published = r.leaseState();
      if (r.snapshot() != null) installSnapshot(r.snapshot());
      disk.append(r.entries());
      if (r.hardState() != null) disk.setHardState(r.hardState());
      if (crashHere(CrashPoint.BEFORE_FSYNC)) return;
      if (r.mustSync()) disk.fsync();
      if (crashHere(CrashPoint.BEFORE_SEND)) return;
      if (!send(r.messages())) return;
      for (Entry e : r.committedEntries()) apply(e);
      for (ReadState rs : r.readStates()) {
        Op op = readIndexRequests.remove(rs.requestId());
        if (op != null) awaitingApply.add(new AwaitingApply(op, rs.readIndex()));
      }
      for (long requestId : r.abortedReadRequests()) {
        Op op = readIndexRequests.remove(requestId);
        if (op != null) sim.clients().replyFail(op, null);
      }
      serveReadsAwaitingApply();
      if (crashHere(CrashPoint.BEFORE_ADVANCE)) return;
      core.advance(r);
      published = core.leaseState();
      observeLeadership();
    }
    if (up) maybeCompact();
  }

  /** Sends the messages; with a MID_SEND crash armed, only a prefix leaves. Returns false if crashed. */
  private boolean send(List<Message> messages) {
    if (armedCrash == CrashPoint.MID_SEND) {
      int prefix = messages.isEmpty() ? 0 : random.nextInt(messages.size());
      for (int i = 0; i < prefix; i++) sim.network().send(this, messages.get(i));
      crashHere(CrashPoint.MID_SEND);
      return false;
    }
    for (Message m : messages) sim.network().send(this, m);
    return true;
  }

  private boolean crashHere(CrashPoint point) {
    if (armedCrash != point) return false;
    sim.recordFault("crash of " + id + " at " + point);
    crash();
    sim.scheduleRestart(this);
    return true;
  }

  private void observeLeadership() {
    if (core.role() == Role.LEADER && core.term() != observedLeaderTerm) {
      observedLeaderTerm = core.term();
      sim.invariants().observeLeader(id, core.term(), disk.storage());
      sim.recordLeader(id, core.term());
    }
  }

  private void installSnapshot(SnapshotMeta meta) {
    Map<String, String> image = incomingCheckpoints.remove(meta.index());
    if (image == null) throw new IllegalStateException(id + ": snapshot " + meta + " to install but its checkpoint never arrived");
    incomingCheckpoints.clear();
    checkpoints.put(meta.index(), image); // the checkpoint directory is synced before the WAL records it
    disk.installSnapshot(meta);
    kv = new HashMap<>(image);
    appliedIndex = meta.index();
  }

  private void apply(Entry e) {
    if (e.index() != appliedIndex + 1) {
      throw new IllegalStateException(id + " was handed " + e + " to apply after index " + appliedIndex);
    }
    appliedIndex = e.index();
    sim.onApplied(this, e);
    if (e.type() == EntryType.NORMAL) {
      String[] keyValue = new String(e.data(), StandardCharsets.UTF_8).split("\u0000", 2);
      kv.put(keyValue[0], keyValue[1]);
    }
    List<PendingWrite> waiting = pendingWrites.remove(e.index());
    if (waiting == null) return;
    for (PendingWrite w : waiting) {
      if (w.term() == e.term()) {
        sim.clients().replyWritten(w.op(), id);
      } else {
        sim.clients().replyFail(w.op(), core == null ? null : core.leaderId()); // overwritten: never applied
      }
    }
  }

  private void serveReadsAwaitingApply() {
    for (Iterator<AwaitingApply> it = awaitingApply.iterator(); it.hasNext(); ) {
      AwaitingApply a = it.next();
      if (appliedIndex >= a.readIndex()) {
        it.remove();
        sim.clients().replyRead(a.op(), kv.get(a.op().key), id, "read-index", core.term());
      }
    }
  }

  /** Compacts the log up to the applied index once the checkpoint there is durable. */
  private void maybeCompact() {
    long snapshotIndex = disk.storage().snapshot().index();
    if (appliedIndex - snapshotIndex < compactEveryEntries) return;
    checkpoints.put(appliedIndex, new HashMap<>(kv));
    disk.compact(appliedIndex);
    core.onLogCompacted(appliedIndex);
    while (checkpoints.size() > 4) checkpoints.pollFirstEntry();
  }

  /** The checkpoint this node would stream for an InstallSnapshot at {@code index}, or null if gone. */
  Map<String, String> checkpointAt(long index) {
    Map<String, String> c = checkpoints.get(index);
    return c == null ? null : Map.copyOf(c);
  }

  // ------------------------------------------------------------------ observation

  RaftCore core() {
    return core;
  }

  Role role() {
    return up ? core.role() : null;
  }

  long appliedIndex() {
    return appliedIndex;
  }

  Map<String, String> state() {
    return kv;
  }

  @Override
  public String toString() {
    if (!up) return id + "[down]";
    return id + "[" + core.role() + " t" + core.term() + " commit=" + core.status().commitIndex() + " applied=" + appliedIndex
        + (isPaused() ? " paused" : "") + " voters=" + core.conf().voters() + "]";
  }
}
