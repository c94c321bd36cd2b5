package leasekv.replica.sim;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import leasekv.fsm.Checkpoint;
import leasekv.fsm.StateMachine;
import leasekv.fsm.testing.MemoryEngine;
import leasekv.raft.Message;
import leasekv.raft.Role;
import leasekv.replica.ApplyLane;
import leasekv.replica.Inbox;
import leasekv.replica.Ports;
import leasekv.replica.Replica;
import leasekv.replica.ReplicaConfig;
import leasekv.replica.ReplicaFailure;
import leasekv.replica.ReplicaMetrics;
import leasekv.replica.StateCorruptionException;
import leasekv.replica.Transport;

/**
 * One simulated store process around the REAL {@link Replica}: the node's ports, implemented on the
 * simulation's clock, network and disks. The disks ({@link SimDisk} for the log, {@link MemoryEngine}
 * for the state machine) outlive a crash; everything else is rebuilt by {@link #start()}, which runs
 * the replica's own recovery.
 *
 * <p>The threads of the real node become event sources here: the replica's thread (inputs, then
 * {@link Replica#process()}), the apply lane (a FIFO queue that runs with its own delays and can
 * stall), and the client-facing reads (which call the read path directly, as netty threads do). A
 * paused process (SIGSTOP) runs none of them until it resumes.
 */
final class SimNode {
  final String id;
  final SimClock clock;
  /** The process's raw clock: the same start reading, but real time's rate, no rate faults and no steps. */
  private final leasekv.raft.Clock processClock;
  final SimDisk disk;
  final MemoryEngine engine = new MemoryEngine();
  private final Simulation sim;
  private final ReplicaConfig config;
  private final Random random;
  private final ArrayDeque<Runnable> applyQueue = new ArrayDeque<>();
  private final ArrayDeque<Runnable> deferredWhilePaused = new ArrayDeque<>();
  private int generation;
  private boolean up;
  private Replica replica;
  private long pausedUntilNanos = Long.MIN_VALUE;
  private long applyStalledUntilNanos = Long.MIN_VALUE;
  private boolean applyScheduled;
  private long timerToken;
  private long timerAtNanos = Long.MIN_VALUE;
  private int sendsUntilCrash = -1;
  private long observedLeaderTerm = -1;
  private long committedChecked;
  int crashes;

  SimNode(Simulation sim, ReplicaConfig config, SimClock clock, Random random) {
    this.sim = sim;
    this.config = config;
    this.id = config.id();
    this.clock = clock;
    this.random = random;
    this.disk = new SimDisk(config.unsafe().has(leasekv.replica.UnsafeModes.Mode.WAL_NO_FSYNC));
    long start = clock.nanoTime();
    long startReal = sim.now();
    this.processClock = () -> start + (sim.now() - startReal);
  }

  // ------------------------------------------------------------------ lifecycle

  /** Starts (or restarts) the process: the state machine over its engine, then the replica's recovery. */
  void start() {
    if (up) return;
    generation++;
    up = true;
    pausedUntilNanos = Long.MIN_VALUE;
    applyStalledUntilNanos = Long.MIN_VALUE;
    observedLeaderTerm = -1;
    committedChecked = 0;
    try {
      StateMachine fsm = StateMachine.open(engine, sim.params().syncMode(), config.unsafe().fsmModes());
      replica = Replica.recover(config, new Ports(disk, fsm, transport(generation), applyLane(generation),
          inbox(generation), clock, processClock, new Random(random.nextLong()), ReplicaMetrics.NONE));
    } catch (IOException | StateCorruptionException | ReplicaFailure e) {
      up = false;
      sim.violation(id + " refused to start: " + e.getMessage());
      return;
    }
    guarded(this::afterInput);
  }

  /**
   * The process dies. With {@code powerLoss} the state machine's unsynced batches go too; the log
   * loses a suffix of its unsynced writes either way (the WAL buffers them in process memory).
   */
  void crash(boolean powerLoss) {
    if (!up) return;
    up = false;
    crashes++;
    generation++;
    replica = null;
    applyQueue.clear();
    deferredWhilePaused.clear();
    applyScheduled = false;
    sendsUntilCrash = -1;
    disk.crash(random);
    if (powerLoss) engine.powerLoss(random);
  }

  /**
   * Arms a crash inside a coming Ready: before or after its sync, after a few of its sends, or
   * around the log's reset to a snapshot (which waits for the next snapshot install).
   */
  void armCrash() {
    if (!up) return;
    switch (random.nextInt(5)) {
      case 0 -> disk.arm(SimDisk.CrashPoint.BEFORE_SYNC);
      case 1 -> disk.arm(SimDisk.CrashPoint.AFTER_SYNC);
      case 2 -> disk.arm(SimDisk.CrashPoint.BEFORE_SNAPSHOT_RESET);
      case 3 -> disk.arm(SimDisk.CrashPoint.AFTER_SNAPSHOT_RESET);
      default -> sendsUntilCrash = random.nextInt(4);
    }
  }

  /** Arms a crash just before or just after the log's next reset to a received snapshot. */
  void armCrashAroundSnapshotReset() {
    if (up) disk.arm(random.nextBoolean() ? SimDisk.CrashPoint.BEFORE_SNAPSHOT_RESET : SimDisk.CrashPoint.AFTER_SNAPSHOT_RESET);
  }

  /** Arms a crash just before the next log sync: the Ready's messages that wait for it are lost with it. */
  void armCrashBeforeSync() {
    if (up) disk.arm(SimDisk.CrashPoint.BEFORE_SYNC);
  }

  /** A stop-the-world pause (SIGSTOP): nothing of this process runs until it resumes. */
  void pause(long durationNanos) {
    if (!up) return;
    long until = sim.now() + durationNanos;
    if (until <= pausedUntilNanos) return;
    pausedUntilNanos = until;
    int gen = generation;
    sim.loop().at(until, () -> {
      if (gen == generation && sim.now() >= pausedUntilNanos) resume();
    });
  }

  void resume() {
    pausedUntilNanos = Long.MIN_VALUE;
    while (!deferredWhilePaused.isEmpty() && !isPaused()) deferredWhilePaused.poll().run();
    scheduleApply();
    if (up) scheduleTimer();
  }

  /** The apply lane stops running jobs for a while (a stalled apply thread); reads keep arriving. */
  void stallApply(long durationNanos) {
    applyStalledUntilNanos = Math.max(applyStalledUntilNanos, sim.now() + durationNanos);
    int gen = generation;
    sim.loop().at(applyStalledUntilNanos, () -> {
      if (gen == generation) scheduleApply();
    });
  }

  boolean isUp() {
    return up;
  }

  boolean isPaused() {
    return sim.now() < pausedUntilNanos;
  }

  Replica replica() {
    return replica;
  }

  Role role() {
    return up ? replica.status().role() : null;
  }

  // ------------------------------------------------------------------ inputs

  /** A peer message arrives; false if the process is down (the sender's connection would fail). */
  boolean deliver(Message m) {
    if (!up) return false;
    onReplicaThread(generation, () -> replica.receive(m));
    return true;
  }

  /** A whole checkpoint and its message arrive; false if the process is down. */
  boolean deliverSnapshot(Message install, Checkpoint checkpoint) {
    if (!up) return false;
    onReplicaThread(generation, () -> replica.onSnapshotReceived(install, checkpoint));
    return true;
  }

  /** Work on the replica's thread: the input, then the Ready. */
  void onReplicaThread(Runnable input) {
    onReplicaThread(generation, input);
  }

  /** Work on a client connection's thread (reads call the read path directly, as netty threads do). */
  void onClientThread(Runnable work) {
    if (!up) return;
    int gen = generation;
    whenRunning(gen, () -> guarded(work));
  }

  private void onReplicaThread(int gen, Runnable input) {
    whenRunning(gen, () -> guarded(() -> {
      input.run();
      if (gen == generation && up) afterInput();
    }));
  }

  private void whenRunning(int gen, Runnable r) {
    if (gen != generation || !up) return;
    if (isPaused()) {
      deferredWhilePaused.add(() -> {
        if (gen == generation && up) r.run();
      });
      return;
    }
    r.run();
  }

  /** Runs work of this process; a crash that strikes inside it, or a replica failure, ends the process. */
  private boolean guarded(Runnable work) {
    int gen = generation;
    try {
      work.run();
      return gen == generation && up;
    } catch (SimCrash c) {
      sim.record("crash of " + id + " " + c.getMessage());
      crash(true);
      sim.scheduleRestart(this);
      return false;
    } catch (RuntimeException e) { // a replica failure, or an assertion inside the replica or the core
      sim.violation(id + ": " + e);
      crash(false);
      sim.scheduleRestart(this);
      return false;
    }
  }

  private void afterInput() {
    if (!up) return;
    replica.process();
    observe();
    scheduleTimer();
  }

  // ------------------------------------------------------------------ the replica's timer

  private void scheduleTimer() {
    long at = clock.realTimeAfter(replica.nanosUntilTimer());
    if (at == timerAtNanos) return;
    timerAtNanos = at;
    long token = ++timerToken;
    int gen = generation;
    sim.loop().at(at, () -> {
      if (token != timerToken) return;
      timerAtNanos = Long.MIN_VALUE;
      onReplicaThread(gen, () -> replica.onTimer());
    });
  }

  /** The clock changed rate or jumped: the timer falls at another real time. */
  void clockChanged() {
    if (!up) return;
    timerAtNanos = Long.MIN_VALUE;
    scheduleTimer();
  }

  // ------------------------------------------------------------------ ports

  private Inbox inbox(int gen) {
    return task -> {
      sim.loop().after(0, () -> onReplicaThread(gen, task));
      return true;
    };
  }

  private ApplyLane applyLane(int gen) {
    return new ApplyLane() {
      @Override
      public void submit(Runnable job) {
        if (gen != generation) return;
        applyQueue.add(job);
        scheduleApply();
      }

      @Override
      public <T> T call(Callable<T> work) throws Exception {
        while (gen == generation && !applyQueue.isEmpty()) applyQueue.poll().run();
        return work.call();
      }
    };
  }

  private void scheduleApply() {
    if (applyScheduled || applyQueue.isEmpty() || !up) return;
    applyScheduled = true;
    long at = Math.max(sim.now() + applyDelayNanos(), applyStalledUntilNanos);
    int gen = generation;
    sim.loop().at(at, () -> {
      if (gen != generation) return;
      applyScheduled = false;
      if (isPaused() || sim.now() < applyStalledUntilNanos) {
        whenRunning(gen, this::scheduleApply);
        return;
      }
      Runnable job = applyQueue.poll();
      if (job != null && guarded(job)) observe();
      scheduleApply();
    });
  }

  /** Mostly tens of microseconds; sometimes a slow batch of a few milliseconds. */
  private long applyDelayNanos() {
    return random.nextInt(50) == 0 ? 1_000_000L + random.nextInt(8_000_000) : 10_000L + random.nextInt(200_000);
  }

  private Transport transport(int gen) {
    return new Transport() {
      @Override
      public boolean send(Message message) {
        if (gen != generation) return true;
        if (sendsUntilCrash == 0) {
          sendsUntilCrash = -1;
          throw new SimCrash("in the middle of sending");
        }
        if (sendsUntilCrash > 0) sendsUntilCrash--;
        sim.network().send(message);
        return true;
      }

      @Override
      public boolean isConnected(String peer) {
        SimNode other = sim.node(peer);
        return other != null && other.isUp() && sim.network().reaches(id, peer) && sim.network().reaches(peer, id);
      }

      @Override
      public void sendSnapshot(Message install, Checkpoint checkpoint, Consumer<Boolean> done) {
        sim.network().sendSnapshot(install, checkpoint, done);
      }
    };
  }

  // ------------------------------------------------------------------ observation

  /** Feeds the safety checks: leaders as they appear, committed entries as this node learns of them. */
  private void observe() {
    if (!up) return;
    var status = replica.status();
    if (status.role() == Role.LEADER && status.term() != observedLeaderTerm) {
      observedLeaderTerm = status.term();
      sim.observeLeader(id, status.term(), disk.liveLog());
    }
    long commit = Math.min(status.commitIndex(), disk.lastIndex());
    long from = Math.max(committedChecked + 1, disk.firstIndex());
    if (commit >= from) {
      sim.observeCommitted(id, disk.entries(from, commit + 1, Long.MAX_VALUE));
      committedChecked = commit;
    }
  }

  @Override
  public String toString() {
    if (!up) return id + "[down]";
    var s = replica.status();
    return id + "[" + s.role() + " t" + s.term() + " commit=" + s.commitIndex() + " applied=" + replica.appliedIndex()
        + (isPaused() ? " paused" : "") + " voters=" + s.voters() + "]";
  }
}
