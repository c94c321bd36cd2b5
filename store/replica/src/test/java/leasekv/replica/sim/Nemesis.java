package leasekv.replica.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import leasekv.raft.ConfChange;

/**
 * Injects a fault every 50 to 400 ms of simulated time, each aimed at one of the rules: partitions
 * (random halves, the leader isolated, one-way, and composed ones where a follower is cut off from the
 * leader before the leader is isolated from the rest), crashes (process, power loss of one node or of
 * all, and crashes inside a Ready), pauses, clock rate changes within the drift bound and steps,
 * slow links, stalled apply lanes, leadership transfers and membership changes. Faults heal on their
 * own after a while; every injection is recorded in the event log.
 */
final class Nemesis {
  private final Simulation sim;
  private final Random random;
  private final double rho;
  private boolean running;
  private final Map<String, Long> lastForwardStepNanos = new HashMap<>();

  Nemesis(Simulation sim, Random random, double rho) {
    this.sim = sim;
    this.random = random;
    this.rho = rho;
  }

  void start() {
    running = true;
    scheduleNext();
  }

  void stop() {
    running = false;
  }

  private void scheduleNext() {
    scheduleNext(millis(50, 400));
  }

  private void scheduleNext(long delayNanos) {
    sim.loop().after(delayNanos, () -> {
      if (!running) return;
      scheduleNext(injectOne());
    });
  }

  /**
   * One kind of fault and its weight in this run. An aimed kind sets up a scenario for one rule: it
   * starts from a healed network and has the stage to itself until it is over, since another fault
   * composed into it (a partition on top of its partition) usually closes the very window it opens.
   */
  private record Kind(String name, int weight, Runnable inject, boolean aimed) {
    Kind(String name, int weight, Runnable inject) {
      this(name, weight, inject, false);
    }
  }

  /**
   * Swarm testing: every run draws its own mix of fault kinds (each on with probability 0.3, an aimed
   * kind with 0.5, with a weight of 1 to 4 times its base), so runs hammer a few kinds with little
   * else in the way. That reaches
   * rare windows far more often than one fixed mix, without aiming at any particular bug.
   */
  private List<Kind> drawMix() {
    List<Kind> all = List.of(
        new Kind("partition", 2, this::partitionRandomly),
        new Kind("isolate-leader", 2, this::isolateLeader),
        new Kind("one-way-leader", 1, this::oneWayLeader),
        new Kind("cut-follower-then-isolate-leader", 1, this::cutFollowerThenIsolateLeader),
        new Kind("cut-follower-then-isolate-leader-as-its-timer-runs-out", 1, this::cutFollowerThenIsolateLeaderAsItsTimerRunsOut, true),
        new Kind("slow-acks-then-isolate-leader", 1, this::slowAcksThenIsolateLeader),
        new Kind("isolate-leader-then-restart-followers", 1, this::isolateLeaderThenRestartFollowers),
        new Kind("isolate-leader-and-restart-every-follower", 1, this::isolateLeaderAndRestartEveryFollowerAtOnce, true),
        new Kind("transfer-then-isolate-old-leader", 1, this::transferThenIsolateOldLeader),
        new Kind("transfer-and-isolate-old-leader-at-once", 1, this::transferAndIsolateOldLeaderAtOnce, true),
        new Kind("leader-in-a-minority-of-two", 1, this::leaderInAMinorityOfTwo, true),
        new Kind("slow-appends-then-transfer", 1, this::slowAppendsThenTransfer, true),
        new Kind("slow-appends-through-a-failover", 1, this::slowAppendsThroughAFailover, true),
        new Kind("stall-apply-then-transfer-to-it", 1, this::stallApplyThenTransferToIt, true),
        new Kind("crash-followers-inside-a-ready-then-isolate-leader", 1, this::crashFollowersInsideAReadyThenIsolateLeader, true),
        new Kind("snapshot-to-a-lagging-follower-with-a-crash-armed", 1, this::snapshotToALaggingFollowerWithACrashArmed, true),
        new Kind("slow-commits-then-power-loss-all", 1, this::slowCommitsThenPowerLossAll, true),
        new Kind("pause-isolated-leader", 1, this::pauseIsolatedLeader),
        new Kind("crash", 1, () -> crashOne(false)),
        new Kind("power-loss", 1, () -> crashOne(true)),
        new Kind("crash-inside-a-ready", 1, this::crashInsideAReady),
        new Kind("power-loss-all", 1, this::powerLossAll),
        new Kind("pause", 1, this::pauseOne),
        new Kind("clock-rate", 2, this::changeClockRate),
        new Kind("clock-step", 1, this::stepClock),
        new Kind("stall-apply", 1, this::stallApply),
        new Kind("slow-node", 1, this::slowNode),
        new Kind("transfer", 2, this::transfer),
        new Kind("membership", 1, this::changeMembership));
    List<Kind> mix = new ArrayList<>();
    String only = System.getProperty("sim.faults", "");
    for (Kind k : all) {
      boolean on = random.nextInt(10) < (k.aimed() ? 5 : 3);
      int weight = k.weight() * (1 + random.nextInt(4));
      if (only.isBlank() ? on : List.of(only.split(",")).contains(k.name())) {
        mix.add(new Kind(k.name(), weight, k.inject(), k.aimed()));
      }
    }
    if (mix.isEmpty()) mix.add(all.get(random.nextInt(all.size())));
    return mix;
  }

  private List<Kind> mix;
  private int totalWeight;
  private static final int MAX_AIMED_WAITS = 20;
  private int aimedWaits;

  private boolean readyForAimed() {
    for (SimNode n : sim.nodes()) {
      if (!n.isUp() || n.isPaused()) return false;
    }
    return sim.currentLeaderId() != null;
  }

  /** Injects one fault of the run's mix; returns when the next one may come. */
  private long injectOne() {
    if (mix == null) {
      mix = drawMix();
      totalWeight = mix.stream().mapToInt(Kind::weight).sum();
      sim.record("fault mix: " + String.join(", ", mix.stream().map(k -> k.name() + "=" + k.weight()).toList()));
    }
    int roll = random.nextInt(totalWeight);
    for (Kind k : mix) {
      roll -= k.weight();
      if (roll < 0) {
        if (k.aimed()) {
          // An aimed scenario starts from a healed network and a whole, led cluster: a node still down
          // from an earlier crash would close the window it opens. Wait a little for one.
          if (!readyForAimed() && aimedWaits++ < MAX_AIMED_WAITS) return millis(50, 150);
          aimedWaits = 0;
          sim.network().healAll();
        }
        k.inject().run();
        return k.aimed() ? millis(400, 700) : millis(50, 400);
      }
    }
    throw new IllegalStateException("no fault drawn");
  }

  /** A random duration in [lo, hi) ms of the fast timing, scaled to the timing in use. */
  private long millis(int lo, int hi) {
    return (lo + random.nextInt(hi - lo)) * 1_000_000L * Simulation.TIME_SCALE;
  }

  private void later(long nanos, Runnable action) {
    sim.loop().after(nanos, () -> {
      if (running) action.run();
    });
  }

  // ---- partitions ----

  private void partitionRandomly() {
    List<String> ids = new ArrayList<>(sim.nodeIds());
    Collections.shuffle(ids, random);
    int cut = 1 + random.nextInt(ids.size() - 1);
    for (String a : ids.subList(0, cut)) {
      for (String b : ids.subList(cut, ids.size())) sim.network().cutBothWays(a, b);
    }
    sim.record("partition " + ids.subList(0, cut) + " | " + ids.subList(cut, ids.size()));
    later(millis(100, 800), this::heal);
  }

  private void isolate(String node) {
    for (String other : sim.nodeIds()) {
      if (!other.equals(node)) sim.network().cutBothWays(node, other);
    }
  }

  private void isolateLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) {
      partitionRandomly();
      return;
    }
    isolate(leader);
    sim.record("isolate leader " + leader);
    later(millis(150, 700), this::heal);
  }

  /** The leader hears nobody; everyone hears it. */
  private void oneWayLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    for (String other : sim.nodeIds()) {
      if (!other.equals(leader)) sim.network().cut(other, leader);
    }
    sim.record("one-way: nobody reaches leader " + leader);
    later(millis(150, 700), this::heal);
  }

  /**
   * Composed partitions: a follower is cut off from the leader; before that heals, the leader is
   * isolated from the rest; the two heal in either order.
   */
  private void cutFollowerThenIsolateLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    List<String> followers = new ArrayList<>(sim.nodeIds());
    followers.remove(leader);
    String follower = followers.get(random.nextInt(followers.size()));
    sim.network().cutBothWays(follower, leader);
    sim.record("cut " + follower + " from leader " + leader);
    later(millis(20, 200), () -> {
      isolate(leader);
      sim.record("isolate leader " + leader + " too (" + follower + " still cut)");
      if (random.nextBoolean()) {
        later(millis(50, 300), () -> {
          sim.network().heal(follower, leader);
          sim.network().heal(leader, follower);
          sim.record("heal " + follower + " <-> " + leader + " only");
          later(millis(50, 400), this::heal);
        });
      } else {
        later(millis(100, 600), this::heal);
      }
    });
  }

  /** Acknowledgements reach the leader late, then the leader is cut off (lease rule L2's scenario). */
  private void slowAcksThenIsolateLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    long extra = millis(20, 90);
    for (String id : sim.nodeIds()) {
      if (!id.equals(leader)) sim.network().makeSlow(id, leader, extra, millis(100, 300));
    }
    sim.record("slow acks to " + leader + " (+" + extra / 1_000_000 + "ms)");
    later(millis(5, 40), () -> {
      isolate(leader);
      sim.record("isolate leader " + leader);
      later(millis(150, 600), this::heal);
    });
  }

  /** Lease rule L6's scenario: followers that acked the old leader restart and could vote at once. */
  private void isolateLeaderThenRestartFollowers() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    isolate(leader);
    sim.record("isolate leader " + leader + ", then restart followers");
    for (String id : sim.nodeIds()) {
      if (id.equals(leader) || random.nextInt(3) == 0) continue;
      later(millis(2, 40), () -> {
        SimNode n = sim.node(id);
        if (!n.isUp()) return;
        n.crash(false);
        sim.record("crash " + id);
        sim.loop().after(millis(1, 20), n::start);
      });
    }
    later(millis(150, 600), this::heal);
  }

  /** Lease rule L7's scenario: a transfer, then the old leader is cut off. */
  private void transferThenIsolateOldLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    transfer();
    later(millis(1, 30), () -> {
      isolate(leader);
      sim.record("isolate old leader " + leader);
      later(millis(100, 500), this::heal);
    });
  }

  /** Failure scenarios 1 and 2 together: the leader stalls (GC) while it is cut off, then resumes. */
  private void pauseIsolatedLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    long pause = millis(100, 400);
    isolate(leader);
    sim.node(leader).pause(pause);
    sim.record("isolate leader " + leader + " and pause it for " + pause / 1_000_000 + "ms");
    later(pause + millis(20, 200), this::heal);
  }

  private void heal() {
    sim.network().healAll();
    sim.record("heal");
  }

  // ---- faults aimed at one rule each: chance alone reaches their windows too rarely ----

  /**
   * Rule L7: the leader starts a transfer and, in the same instant, is cut off from everyone but the
   * target (TimeoutNow gets through, then that link goes too). Its pinned readers keep asking it
   * while the target is elected and takes writes.
   */
  private void transferAndIsolateOldLeaderAtOnce() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    SimNode l = sim.node(leader);
    List<String> voters = l.replica().status().voters();
    List<String> targets = voters.stream().filter(v -> !v.equals(leader)).toList();
    if (targets.isEmpty()) return;
    String target = targets.get(random.nextInt(targets.size()));
    for (String other : sim.nodeIds()) {
      if (other.equals(leader)) continue;
      sim.network().cut(other, leader);
      if (!other.equals(target)) sim.network().cut(leader, other);
    }
    sim.record("transfer " + leader + " -> " + target + " and isolate " + leader + " at once");
    l.onReplicaThread(() -> l.replica().transferLeadership(target, 500_000_000L * Simulation.TIME_SCALE));
    later(millis(2, 6), () -> sim.network().cut(leader, target));
    later(millis(150, 500), this::heal);
  }

  /**
   * Rule L5: the leader's appends stall (its heartbeats still arrive, so nothing new commits and
   * every follower's log stays as complete as any other's), and one follower loses the leader
   * altogether. Just before that follower's election timer fires, the leader is cut off from the rest
   * too. The others heard the leader moments ago and must refuse the follower's campaign until their
   * own timeouts pass, by which time the leader's lease has run out.
   */
  private void cutFollowerThenIsolateLeaderAsItsTimerRunsOut() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    List<String> followers = new ArrayList<>(sim.nodeIds());
    followers.remove(leader);
    String follower = followers.get(random.nextInt(followers.size()));
    for (String f : followers) sim.network().makeReplicationSlow(leader, f, millis(300, 500), millis(300, 400));
    sim.network().cutBothWays(follower, leader);
    sim.record("stall appends of " + leader + ", cut " + follower + " from it, isolate it as the follower's timer runs out");
    long timeout = Simulation.ELECTION_TIMEOUT_TICKS * Simulation.TICK_NANOS;
    later(timeout * 8 / 10 + random.nextInt((int) timeout), () -> {
      isolate(leader);
      sim.record("isolate leader " + leader);
      later(millis(150, 400), this::heal);
    });
  }

  /**
   * Rule L3 (five nodes and more): the leader and one follower are cut off from the rest. That
   * follower still acknowledges the leader, one ack short of a quorum, while the majority elects a
   * new leader. (With three nodes a leader and one follower are a majority.)
   */
  private void leaderInAMinorityOfTwo() {
    String leader = sim.currentLeaderId();
    if (leader == null || sim.nodeIds().size() < 5) {
      isolateLeader();
      return;
    }
    List<String> followers = new ArrayList<>(sim.nodeIds());
    followers.remove(leader);
    String partner = followers.remove(random.nextInt(followers.size()));
    for (String f : followers) {
      sim.network().cutBothWays(leader, f);
      sim.network().cutBothWays(partner, f);
    }
    sim.record("partition leader " + leader + " and " + partner + " | " + followers);
    later(millis(200, 600), this::heal);
  }

  /**
   * Rule L6: the leader is cut off, and every follower restarts at once: they acknowledged it moments
   * ago, and must wait an election timeout before they vote.
   */
  private void isolateLeaderAndRestartEveryFollowerAtOnce() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    isolate(leader);
    sim.record("isolate leader " + leader + " and restart every follower at once");
    for (String id : sim.nodeIds()) {
      SimNode n = sim.node(id);
      if (id.equals(leader) || !n.isUp()) continue;
      n.crash(false);
      sim.loop().after(millis(1, 3), n::start);
    }
    later(millis(150, 400), this::heal);
  }

  /**
   * Rule L9: appends (not heartbeats) are slow, then leadership moves: the new leader holds a lease
   * from heartbeat acks well before its own-term entry commits, and meanwhile does not know that the
   * old leader's last acknowledged writes committed.
   */
  private void slowAppendsThenTransfer() {
    long extra = millis(20, 60);
    for (String a : sim.nodeIds()) {
      for (String b : sim.nodeIds()) {
        if (!a.equals(b)) sim.network().makeReplicationSlow(a, b, extra, millis(200, 500));
      }
    }
    sim.record("slow appends (+" + extra / 1_000_000 + "ms), then a transfer");
    later(millis(5, 30), this::transfer);
  }

  /**
   * Rule L9 across an election: replication is slowed everywhere (heartbeats and votes pass) by X,
   * and the leader is isolated between 2X and 3X later: an append sent at the start arrives at X, its
   * acknowledgement at 2X commits and acknowledges writes, and the commit reaches the followers only at
   * 3X. Whoever wins next does not know that those writes committed until its own-term entry commits,
   * which the slow appends hold back long after heartbeats gave it a lease.
   */
  private void slowAppendsThroughAFailover() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    long extra = millis(20, 60);
    long electionNanos = Simulation.ELECTION_TIMEOUT_TICKS * Simulation.TICK_NANOS;
    long isolateAfter = 2 * extra + (long) (random.nextDouble() * extra);
    long slowFor = isolateAfter + 3 * electionNanos;
    for (String a : sim.nodeIds()) {
      for (String b : sim.nodeIds()) {
        if (!a.equals(b)) sim.network().makeReplicationSlow(a, b, extra, slowFor);
      }
    }
    sim.record("slow appends (+" + extra / 1_000_000 + "ms), then isolate leader " + leader);
    later(isolateAfter, () -> {
      isolate(leader);
      later(2 * electionNanos + millis(0, 100), this::heal);
    });
  }

  /**
   * Rule L9: a follower's apply lane stalls, and leadership moves to it: it commits its own-term
   * entry, and with it the old leader's acknowledged writes, long before its state machine applies
   * them. A lease read must wait for its fence to apply.
   */
  private void stallApplyThenTransferToIt() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    List<String> followers = new ArrayList<>(sim.node(leader).replica().status().voters());
    followers.remove(leader);
    if (followers.isEmpty()) return;
    String target = followers.get(random.nextInt(followers.size()));
    long stall = millis(100, 300);
    sim.node(target).stallApply(stall);
    sim.record("stall the apply lane of " + target + " for " + stall / 1_000_000 + "ms, then transfer " + leader + " -> " + target);
    later(millis(5, 30), () -> {
      SimNode l = sim.node(leader);
      if (l.isUp() && l.role() == leasekv.raft.Role.LEADER) {
        l.onReplicaThread(() -> l.replica().transferLeadership(target, 500_000_000L * Simulation.TIME_SCALE));
      }
    });
  }

  /**
   * Rule D3: a minority of followers die inside a Ready, before their log sync, and restart without
   * what they had appended; then the leader is cut off, so a new majority must be formed with them. An
   * acknowledgement sent before the sync would have counted entries they no longer have.
   */
  private void crashFollowersInsideAReadyThenIsolateLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    List<String> followers = new ArrayList<>(sim.nodeIds());
    followers.remove(leader);
    Collections.shuffle(followers, random);
    // New entries reach only the followers that will crash: with the leader they are a majority, so
    // their acks alone commit them (one of three nodes, two of five).
    List<String> crashing = new ArrayList<>(followers.subList(0, sim.nodeIds().size() / 2));
    for (String other : followers) {
      if (!crashing.contains(other)) sim.network().cut(leader, other);
    }
    for (String f : crashing) sim.node(f).armCrashBeforeSync();
    sim.record("crash " + String.join(", ", crashing) + " before the next log sync, then isolate leader " + leader);
    later(millis(20, 60), () -> {
      isolate(leader);
      later(millis(200, 500), this::heal);
    });
  }

  /**
   * Rule D6 (and D4, D5 around it): a follower is cut off long enough for the leader to compact past
   * it, with a crash armed around its log's reset to a snapshot; when it heals it receives the
   * snapshot, dies just before or after the reset, and must restart into a state machine and a log
   * that fit.
   */
  private void snapshotToALaggingFollowerWithACrashArmed() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    List<String> followers = new ArrayList<>(sim.nodeIds());
    followers.remove(leader);
    String follower = followers.get(random.nextInt(followers.size()));
    sim.node(follower).armCrashAroundSnapshotReset();
    isolate(follower);
    long cutFor = millis(200, 400);
    sim.record("cut " + follower + " off for " + cutFor / 1_000_000 + "ms with a crash armed around its next snapshot install");
    later(cutFor, this::heal);
  }

  /**
   * Rule D2: commits are slower than the clients' attempt timeout, so writes are retried (same
   * tag) while their first attempts are still in flight and both commit; then every node loses
   * power, and replay must keep each write applied once.
   */
  private void slowCommitsThenPowerLossAll() {
    long extra = millis(120, 250);
    for (String a : sim.nodeIds()) {
      for (String b : sim.nodeIds()) {
        if (!a.equals(b)) sim.network().makeReplicationSlow(a, b, extra, millis(300, 600));
      }
    }
    sim.record("slow commits (+" + extra / 1_000_000 + "ms), then power loss of every node");
    later(millis(300, 700), this::powerLossAll);
  }

  // ---- processes ----

  private SimNode pickNode(boolean preferLeader) {
    String leader = sim.currentLeaderId();
    if (preferLeader && leader != null) return sim.node(leader);
    return sim.node(sim.randomNodeId());
  }

  private void crashOne(boolean powerLoss) {
    SimNode n = pickNode(random.nextBoolean());
    if (!n.isUp()) return;
    sim.record((powerLoss ? "power loss of " : "crash ") + n.id);
    n.crash(powerLoss);
    sim.scheduleRestart(n);
  }

  private void crashInsideAReady() {
    SimNode n = pickNode(random.nextBoolean());
    n.armCrash();
  }

  private void powerLossAll() {
    sim.record("power loss of every node");
    for (SimNode n : sim.nodes()) {
      if (!n.isUp()) continue;
      n.crash(true);
      sim.scheduleRestart(n);
    }
  }

  private void pauseOne() {
    SimNode n = pickNode(random.nextBoolean());
    long d = millis(30, 400);
    sim.record("pause " + n.id + " for " + d / 1_000_000 + "ms");
    n.pause(d);
  }

  /** The apply lane of a node stops for a while; reads keep arriving (the apply wait of rule L9). */
  private void stallApply() {
    SimNode n = pickNode(random.nextInt(3) > 0);
    long d = millis(20, 300);
    sim.record("stall the apply lane of " + n.id + " for " + d / 1_000_000 + "ms");
    n.stallApply(d);
  }

  // ---- clocks ----

  /** New rate within [1-rho, 1+rho], often at the extremes where the lease bound is tight. */
  private void changeClockRate() {
    SimNode n = pickNode(random.nextBoolean());
    double rate = switch (random.nextInt(3)) {
      case 0 -> 1 - rho;
      case 1 -> 1 + rho;
      default -> 1 - rho + 2 * rho * random.nextDouble();
    };
    n.clock.setRate(rate);
    n.clockChanged();
    sim.record("clock rate of " + n.id + " = " + String.format("%.3f", rate));
  }

  /**
   * Steps one node's clock. Backward steps come in any size and at any time: the replica absorbs them
   * ({@code SteadyClock}). Forward steps cannot be told from a pause; the clock model of rule L4 allows
   * one per node per two election timeouts of real time, so at most one falls inside a vote refusal.
   */
  private void stepClock() {
    SimNode n = pickNode(random.nextBoolean());
    long electionNanos = Simulation.ELECTION_TIMEOUT_TICKS * Simulation.TICK_NANOS;
    long now = sim.loop().now();
    Long last = lastForwardStepNanos.get(n.id);
    boolean forward = random.nextBoolean() && (last == null || now - last >= 2 * electionNanos);
    long size = forward ? millis(5, 300) : millis(1, 2000);
    if (forward) lastForwardStepNanos.put(n.id, now);
    n.clock.step(forward ? size : -size);
    n.clockChanged();
    sim.record("clock of " + n.id + " stepped " + (forward ? "forward " : "back ") + size / 1_000_000 + "ms");
  }

  // ---- network speed ----

  private void slowNode() {
    SimNode n = pickNode(random.nextBoolean());
    long extra = millis(15, 90);
    long duration = millis(100, 600);
    for (String to : sim.nodeIds()) {
      if (!to.equals(n.id)) sim.network().makeSlow(n.id, to, extra, duration);
    }
    sim.record("slow messages from " + n.id + " (+" + extra / 1_000_000 + "ms)");
  }

  // ---- leadership and membership ----

  private void transfer() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    SimNode l = sim.node(leader);
    List<String> voters = l.replica().status().voters();
    String target = voters.get(random.nextInt(voters.size()));
    if (target.equals(leader)) return;
    sim.record("transfer " + leader + " -> " + target);
    l.onReplicaThread(() -> l.replica().transferLeadership(target, 500_000_000L * Simulation.TIME_SCALE));
  }

  /** Removes a voter (never below three of five, or two of three) or adds a removed node back. */
  private void changeMembership() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    SimNode l = sim.node(leader);
    List<String> voters = l.replica().status().voters();
    List<String> missing = sim.nodeIds().stream().filter(id -> !voters.contains(id)).toList();
    int minimum = Math.max(2, sim.nodeIds().size() - 2);
    ConfChange change;
    if (!missing.isEmpty() && (voters.size() <= minimum || random.nextBoolean())) {
      change = ConfChange.addVoter(missing.get(random.nextInt(missing.size())));
    } else if (voters.size() > minimum) {
      change = ConfChange.removeVoter(voters.get(random.nextInt(voters.size())));
    } else {
      return;
    }
    sim.record("propose " + change.type() + " " + change.nodeId() + " at " + leader);
    l.onReplicaThread(() -> l.replica().proposeConfChange(change));
  }
}
