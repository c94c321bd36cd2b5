package leasekv.raft.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import leasekv.raft.ConfChange;

/**
 * Injects a fault every 50 to 400 ms of simulated time: partitions (random, or isolating the leader),
 * crashes with loss of unsynced writes (also in the middle of a driver-loop iteration, and of all
 * nodes at once), pauses, clock-rate changes within the drift bound, slow nodes, leadership transfers
 * and membership changes. Faults heal on their own after a while.
 */
final class Nemesis {
  private final Simulation sim;
  private final Random random;
  private final double rho;
  private boolean running;

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
    sim.loop().after(50_000_000L + random.nextInt(350_000_000), () -> {
      if (!running) return;
      injectOne();
      scheduleNext();
    });
  }

  private void injectOne() {
    int roll = random.nextInt(100);
    if (roll < 10) partitionRandomly();
    else if (roll < 20) isolateLeader();
    else if (roll < 27) slowFollowersThenIsolateLeader();
    else if (roll < 32) isolateLeaderThenRestartFollowers();
    else if (roll < 37) transferThenIsolateOldLeader();
    else if (roll < 42) pauseIsolatedLeader();
    else if (roll < 47) crashOne();
    else if (roll < 52) crashMidLoop();
    else if (roll < 54) crashAll();
    else if (roll < 62) pauseOne();
    else if (roll < 71) changeClockRate();
    else if (roll < 79) slowNode();
    else if (roll < 87) transfer();
    else changeMembership();
  }

  /** Acknowledgements reach the leader late, then the leader is cut off (lease rule 2's scenario). */
  private void slowFollowersThenIsolateLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    long extra = millis(20, 90);
    for (String id : sim.nodeIds()) {
      if (!id.equals(leader)) sim.network().makeSlow(id, leader, extra, millis(100, 300));
    }
    sim.recordFault("slow acks to " + leader + " (+" + extra / 1_000_000 + "ms)");
    sim.loop().after(millis(5, 40), () -> {
      if (!running) return;
      sim.network().firewall.isolate(leader);
      sim.recordFault("isolate leader " + leader);
      sim.loop().after(millis(150, 600), this::heal);
    });
  }

  /** Failure scenarios 1 and 2 together: the leader stalls (GC) while it is cut off, then resumes. */
  private void pauseIsolatedLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    long pause = millis(100, 400);
    sim.network().firewall.isolate(leader);
    sim.node(leader).pause(pause);
    sim.recordFault("isolate leader " + leader + " and pause it for " + pause / 1_000_000 + "ms");
    sim.loop().after(pause + millis(20, 200), this::heal);
  }

  /** Lease rule 6's scenario: followers that acked the old leader restart and could vote at once. */
  private void isolateLeaderThenRestartFollowers() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    sim.network().firewall.isolate(leader);
    sim.recordFault("isolate leader " + leader + ", then restart followers");
    for (String id : sim.nodeIds()) {
      if (id.equals(leader) || random.nextInt(3) == 0) continue;
      sim.loop().after(millis(2, 40), () -> {
        SimNode n = sim.node(id);
        if (!running || !n.isUp()) return;
        n.crash();
        sim.recordFault("crash " + id);
        sim.loop().after(millis(1, 20), n::start);
      });
    }
    sim.loop().after(millis(150, 600), this::heal);
  }

  /** Lease rule 7's scenario: a transfer, then the old leader is cut off. */
  private void transferThenIsolateOldLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    transfer();
    sim.loop().after(millis(1, 30), () -> {
      if (!running) return;
      sim.network().firewall.isolate(leader);
      sim.recordFault("isolate old leader " + leader);
      sim.loop().after(millis(100, 500), this::heal);
    });
  }

  private long millis(int lo, int hi) {
    return (lo + random.nextInt(hi - lo)) * 1_000_000L;
  }

  private void partitionRandomly() {
    List<String> ids = new ArrayList<>(sim.nodeIds());
    Collections.shuffle(ids, random);
    int cut = 1 + random.nextInt(ids.size() - 1);
    sim.network().firewall.splitMembers(ids.subList(0, cut), ids.subList(cut, ids.size()));
    sim.recordFault("partition " + ids.subList(0, cut) + " | " + ids.subList(cut, ids.size()));
    sim.loop().after(millis(100, 800), this::heal);
  }

  private void isolateLeader() {
    String leader = sim.currentLeaderId();
    if (leader == null) {
      partitionRandomly();
      return;
    }
    sim.network().firewall.isolate(leader);
    sim.recordFault("isolate leader " + leader);
    sim.loop().after(millis(150, 700), this::heal);
  }

  private void heal() {
    if (!running) return;
    sim.network().firewall.heal();
    sim.recordFault("heal");
  }

  private SimNode pickNode(boolean preferLeader) {
    String leader = sim.currentLeaderId();
    if (preferLeader && leader != null) return sim.node(leader);
    return sim.node(sim.randomNodeId());
  }

  private void crashOne() {
    SimNode n = pickNode(random.nextBoolean());
    if (!n.isUp()) return;
    sim.recordFault("crash " + n.id);
    n.crash();
    sim.scheduleRestart(n);
  }

  private void crashMidLoop() {
    SimNode n = pickNode(random.nextBoolean());
    SimNode.CrashPoint[] points = SimNode.CrashPoint.values();
    n.armCrash(points[random.nextInt(points.length)]);
  }

  private void crashAll() {
    sim.recordFault("power loss on every node");
    for (SimNode n : sim.nodes()) {
      if (!n.isUp()) continue;
      n.crash();
      sim.scheduleRestart(n);
    }
  }

  private void pauseOne() {
    SimNode n = pickNode(random.nextBoolean());
    long d = millis(30, 400);
    sim.recordFault("pause " + n.id + " for " + d / 1_000_000 + "ms");
    n.pause(d);
  }

  /** New rate within [1-rho, 1+rho], often at the extremes where the lease bound is tight. */
  private void changeClockRate() {
    SimNode n = pickNode(random.nextBoolean());
    double rate = switch (random.nextInt(3)) {
      case 0 -> 1 - rho;
      case 1 -> 1 + rho;
      default -> 1 - rho + 2 * rho * random.nextDouble();
    };
    n.clock.setRate(rate);
    n.rescheduleTicks();
    sim.recordFault("clock rate of " + n.id + " = " + String.format("%.3f", rate));
  }

  private void slowNode() {
    SimNode n = pickNode(random.nextBoolean());
    long extra = millis(15, 90);
    long duration = millis(100, 600);
    for (String to : sim.nodeIds()) {
      if (!to.equals(n.id)) sim.network().makeSlow(n.id, to, extra, duration);
    }
    sim.recordFault("slow messages from " + n.id + " (+" + extra / 1_000_000 + "ms)");
  }

  private void transfer() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    List<String> voters = sim.node(leader).core().conf().voters();
    String target = voters.get(random.nextInt(voters.size()));
    if (target.equals(leader)) return;
    sim.recordFault("transfer " + leader + " -> " + target);
    sim.node(leader).transferLeadership(target);
  }

  /** Removes a voter (never below three of five, or two of three) or adds a removed node back. */
  private void changeMembership() {
    String leader = sim.currentLeaderId();
    if (leader == null) return;
    SimNode l = sim.node(leader);
    List<String> voters = l.core().conf().voters();
    List<String> missing = sim.nodeIds().stream().filter(id -> !voters.contains(id)).toList();
    int minimum = Math.max(2, sim.nodeIds().size() - 2);
    if (!missing.isEmpty() && (voters.size() <= minimum || random.nextBoolean())) {
      l.proposeConfChange(ConfChange.addVoter(missing.get(random.nextInt(missing.size()))));
    } else if (voters.size() > minimum) {
      l.proposeConfChange(ConfChange.removeVoter(voters.get(random.nextInt(voters.size()))));
    }
  }
}
