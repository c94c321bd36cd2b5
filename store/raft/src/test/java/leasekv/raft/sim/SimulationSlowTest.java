package leasekv.raft.sim;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The nightly sweep: many more seeds and longer runs ({@code -DexcludedTestGroups=none}; seeds
 * {@code -Dsim.firstSeed=S} (default 1000) onwards, {@code -Dsim.seeds=N} of them (default 250) per
 * cluster size, {@code -Dsim.durationMs} (default 20000) of simulated time each).
 */
@Tag("slow")
class SimulationSlowTest {
  static final int SEEDS = Integer.getInteger("sim.seeds", 250);
  static final long FIRST_SEED = Long.getLong("sim.firstSeed", 1000);
  static final long DURATION_NANOS = Long.getLong("sim.durationMs", 20_000) * 1_000_000;

  @Test
  void safeModeOnThreeNodesOverManySeeds() {
    SimulationTest.runSafe(3, FIRST_SEED, SEEDS, DURATION_NANOS);
  }

  @Test
  void safeModeOnFiveNodesOverManySeeds() {
    SimulationTest.runSafe(5, FIRST_SEED, SEEDS, DURATION_NANOS);
  }
}
