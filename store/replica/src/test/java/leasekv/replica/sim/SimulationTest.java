package leasekv.replica.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import leasekv.fsm.SyncMode;
import leasekv.replica.ReadPolicy;
import leasekv.replica.UnsafeModes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The deterministic simulation of the real replica (see {@link Simulation}). {@code -Dsim.seeds=N}
 * sets the seeds per configuration; a failing run prints its seed, the end of its event log and a
 * one-line replay ({@code make simulate SEED=...}).
 */
class SimulationTest {
  static final int SEEDS = Integer.getInteger("sim.seeds", 8);

  static void runSafe(int nodes, SyncMode syncMode, ReadPolicy reads, long firstSeed, int seeds) {
    List<String> failures = new ArrayList<>();
    long writes = 0;
    long leaseReads = 0;
    long simulated = 0;
    long start = System.nanoTime();
    for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
      SimResult r = Simulation.run(SimParams.safe(seed, nodes).withSyncMode(syncMode).withReadPolicy(reads));
      simulated += r.simulatedNanos();
      if (!r.passed()) {
        System.out.print(r.report());
        failures.add(r.report());
        continue;
      }
      // a run that did nothing would prove nothing
      assertTrue(r.okWrites() > 100 && r.okReads() > 100 && r.leaderTerms() > 1 && r.faults() > 10, r::summary);
      writes += r.okWrites();
      leaseReads += r.leaseReads();
    }
    double wallSeconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("safe, %d nodes, fsm %s, reads %s, seeds %d..%d: %d acknowledged writes, %d lease reads, "
        + "%.0f simulated s in %.1f wall s (%.0f simulated s per wall minute), %d failed runs%n", nodes,
        syncMode.name().toLowerCase(), reads.name().toLowerCase(), firstSeed, firstSeed + seeds - 1, writes, leaseReads,
        simulated / 1e9, wallSeconds, simulated / 1e9 / wallSeconds * 60, failures.size());
    if (!failures.isEmpty()) fail(failures.size() + " of " + seeds + " runs failed; first:\n" + failures.get(0));
  }

  @Test
  void safeOnThreeNodesNosyncLease() {
    runSafe(3, SyncMode.NOSYNC, ReadPolicy.LEASE, 1, SEEDS);
  }

  @Test
  void safeOnFiveNodesNosyncLease() {
    runSafe(5, SyncMode.NOSYNC, ReadPolicy.LEASE, 1001, SEEDS);
  }

  @Test
  void safeOnThreeNodesSyncReadIndex() {
    runSafe(3, SyncMode.SYNC, ReadPolicy.READ_INDEX, 2001, SEEDS);
  }

  /**
   * Every unsafe mode that lives in code the simulation runs (the core, the replica, the state
   * machine) is caught within this many runs (seeds 1, 2, ... alternating 3 and 5 nodes): the clients
   * see a stale read or a lost, duplicated or phantom write, or a replica refuses or diverges.
   */
  static final int UNSAFE_RUN_BOUND = Integer.getInteger("sim.unsafeRuns", 60);

  @ParameterizedTest
  @EnumSource(UnsafeModes.Mode.class)
  void eachUnsafeModeIsCaught(UnsafeModes.Mode mode) {
    int runs = 0;
    for (long seed = 1; runs < UNSAFE_RUN_BOUND; seed++) {
      for (int nodes : new int[] {3, 5}) {
        SimResult r = Simulation.run(SimParams.safe(seed, nodes).withUnsafe(UnsafeModes.of(mode)));
        runs++;
        if (!r.passed()) {
          System.out.printf("%s: caught in run %d (seed %d, %d nodes): %s%n", mode.cliName(), runs, seed, nodes,
              r.violations().get(0));
          return;
        }
      }
    }
    fail(mode.cliName() + " was not caught in " + runs + " runs");
  }

  @Test
  void aSeedReplaysByteForByte() {
    SimParams p = SimParams.safe(7, 5).withDuration(3_000_000_000L);
    SimResult a = Simulation.run(p);
    SimResult b = Simulation.run(p);
    assertEquals(a.historySha256(), b.historySha256());
    assertEquals(a.eventLog(), b.eventLog());
    assertEquals(a.summary(), b.summary());
  }

  /** {@code -Dsim.seed=S [-Dsim.nodes=N] [-Dsim.durationMs=D] [-Dsim.fsm=sync|nosync] [-Dsim.reads=lease|read-index] [-Dsim.unsafe=m,..]} */
  @Test
  void replay() {
    String seed = System.getProperty("sim.seed");
    Assumptions.assumeTrue(seed != null && !seed.isBlank(), "set -Dsim.seed to replay a run");
    SimParams p = new SimParams(Long.parseLong(seed), Integer.getInteger("sim.nodes", 3),
        Long.getLong("sim.durationMs", SimParams.DEFAULT_DURATION_NANOS / 1_000_000) * 1_000_000,
        UnsafeModes.parse(System.getProperty("sim.unsafe", "")), SyncMode.parse(System.getProperty("sim.fsm", "nosync")),
        System.getProperty("sim.reads", "lease").equals("read-index") ? ReadPolicy.READ_INDEX : ReadPolicy.LEASE);
    SimResult r = new Simulation(p, true).execute();
    System.out.print(r.report());
    if (!r.passed()) fail(r.report());
  }
}
