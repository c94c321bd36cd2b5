package leasekv.raft.sim;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The nightly sweep: many more seeds and longer runs ({@code -DexcludedTestGroups=none}, seed count
 * with {@code -Dsim.seeds=N}, default 250 per cluster size, 20 s of simulated time each).
 */
@Tag("slow")
class SimulationSlowTest {
  static final int SEEDS = Integer.getInteger("sim.seeds", 250);
  static final long DURATION_NANOS = Long.getLong("sim.durationMs", 20_000) * 1_000_000;

  @Test
  void safeModeOnThreeNodesOverManySeeds() {
    SimulationTest.runSafe(3, 1000, SEEDS, DURATION_NANOS);
  }

  @Test
  void safeModeOnFiveNodesOverManySeeds() {
    SimulationTest.runSafe(5, 1000, SEEDS, DURATION_NANOS);
  }
}
