package leasekv.raft.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import leasekv.raft.UnsafeMode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The deterministic simulation (see {@link Simulation}): safe mode over many seeds finds no stale
 * read, no lost acknowledged write and no Raft safety violation, while each lease unsafe mode is
 * caught. Seed counts: {@code -Dsim.seeds=N} (default 20 per cluster size); a failing run prints its
 * seed and a one-line replay command.
 */
class SimulationTest {
  static final int SEEDS = Integer.getInteger("sim.seeds", 20);
  /** Runs (alternating 3 and 5 nodes) within which each unsafe mode must show a stale read. */
  static final int UNSAFE_RUN_BOUND = Integer.getInteger("sim.unsafeRuns", 40);

  @Test
  void safeModeOnThreeNodesHasNoStaleReadAndLosesNoWrite() {
    runSafe(3, 1, SEEDS, SimParams.DEFAULT_DURATION_NANOS);
  }

  @Test
  void safeModeOnFiveNodesHasNoStaleReadAndLosesNoWrite() {
    runSafe(5, 1, SEEDS, SimParams.DEFAULT_DURATION_NANOS);
  }

  static void runSafe(int nodes, long firstSeed, int seeds, long durationNanos) {
    List<String> failures = new ArrayList<>();
    long writes = 0;
    long leaseReads = 0;
    for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
      SimResult r = Simulation.run(SimParams.safe(seed, nodes).withDuration(durationNanos));
      if (!r.passed()) {
        System.out.println(r.report());
        failures.add(r.report());
        continue;
      }
      // a run that did nothing would prove nothing
      assertTrue(r.okWrites() > 100 && r.okReads() > 100 && r.leaderTerms() > 1 && r.faults() > 10, r.summary());
      writes += r.okWrites();
      leaseReads += r.leaseReads();
    }
    System.out.println("safe mode, " + nodes + " nodes, seeds " + firstSeed + ".." + (firstSeed + seeds - 1) + ": "
        + writes + " acknowledged writes, " + leaseReads + " lease reads, " + failures.size() + " failed runs");
    if (!failures.isEmpty()) fail(failures.size() + " of " + seeds + " runs failed; first:\n" + failures.get(0));
  }

  @ParameterizedTest
  @EnumSource(UnsafeMode.class)
  void eachLeaseUnsafeModeProducesStaleReads(UnsafeMode mode) {
    List<String> caught = new ArrayList<>();
    int runs = 0;
    for (long seed = 1; runs < UNSAFE_RUN_BOUND && caught.size() < 3; seed++) {
      for (int nodes : new int[] {3, 5}) {
        SimResult r = Simulation.run(SimParams.safe(seed, nodes).withUnsafe(mode));
        runs++;
        assertEquals(List.of(), r.violations(), "Raft itself stays safe in " + mode.cliName() + ": " + r.report());
        assertTrue(r.historyViolations().stream().allMatch(RegisterChecker.Violation::staleRead),
            mode.cliName() + " breaks only the lease, so only stale reads may appear: " + r.report());
        if (r.foundStaleRead()) caught.add("seed " + seed + " (" + nodes + " nodes)");
      }
    }
    System.out.println(mode.cliName() + ": stale reads in " + caught + " within the first " + runs + " runs");
    assertFalse(caught.isEmpty(), mode.cliName() + " produced no stale read in " + runs + " runs");
  }

  @Test
  void aSeedReplaysExactly() {
    SimResult a = Simulation.run(SimParams.safe(7, 5).withUnsafe(UnsafeMode.NO_LEASE_CHECK));
    SimResult b = Simulation.run(SimParams.safe(7, 5).withUnsafe(UnsafeMode.NO_LEASE_CHECK));
    assertEquals(a.summary(), b.summary());
    assertEquals(a.historyViolations().toString(), b.historyViolations().toString());
  }

  /** {@code -Dsim.seed=S [-Dsim.nodes=N] [-Dsim.durationMs=D] [-Dsim.unsafe=mode,..] [-Dsim.trace=n1|* -Dsim.traceFromMs=.. -Dsim.traceToMs=..]} */
  @Test
  void replay() {
    String seed = System.getProperty("sim.seed");
    Assumptions.assumeTrue(seed != null, "set -Dsim.seed to replay a run");
    Set<UnsafeMode> unsafe = EnumSet.noneOf(UnsafeMode.class);
    String modes = System.getProperty("sim.unsafe", "");
    if (!modes.isBlank()) Arrays.stream(modes.split(",")).map(UnsafeMode::fromCliName).forEach(unsafe::add);
    SimParams p = new SimParams(Long.parseLong(seed), Integer.getInteger("sim.nodes", 3),
        Long.getLong("sim.durationMs", SimParams.DEFAULT_DURATION_NANOS / 1_000_000) * 1_000_000, unsafe, 2, 3);
    String trace = System.getProperty("sim.trace");
    Simulation sim = new Simulation(p, Boolean.getBoolean("sim.verbose") || trace != null);
    if (trace != null) {
      sim.trace(trace, Long.getLong("sim.traceFromMs", 0) * 1_000_000, Long.getLong("sim.traceToMs", Long.MAX_VALUE / 1_000_000) * 1_000_000);
    }
    SimResult r = sim.execute();
    System.out.println(r.passed() ? "PASSED " + r.summary() : r.report());
    if (!r.passed()) fail(r.report());
  }
}
