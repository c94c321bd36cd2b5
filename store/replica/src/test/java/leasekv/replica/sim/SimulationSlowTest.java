package leasekv.replica.sim;

import leasekv.fsm.SyncMode;
import leasekv.replica.ReadPolicy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The long sweep for nightly and {@code make simulate}: many seeds per configuration (3 and 5 nodes,
 * both state-machine sync modes, both read modes). {@code -Dsim.seeds=N} (default 250) and
 * {@code -Dsim.firstSeed=S} choose the seeds; tagged slow, so {@code make test} leaves it out.
 */
@Tag("slow")
class SimulationSlowTest {
  static final int SEEDS = Integer.getInteger("sim.seeds", 250);
  static final long FIRST_SEED = Long.getLong("sim.firstSeed", 100_000);

  @Test
  void threeNodesNosyncLease() {
    SimulationTest.runSafe(3, SyncMode.NOSYNC, ReadPolicy.LEASE, FIRST_SEED, SEEDS);
  }

  @Test
  void fiveNodesNosyncLease() {
    SimulationTest.runSafe(5, SyncMode.NOSYNC, ReadPolicy.LEASE, FIRST_SEED + 1_000_000, SEEDS);
  }

  @Test
  void threeNodesSyncLease() {
    SimulationTest.runSafe(3, SyncMode.SYNC, ReadPolicy.LEASE, FIRST_SEED + 2_000_000, SEEDS);
  }

  @Test
  void fiveNodesNosyncReadIndex() {
    SimulationTest.runSafe(5, SyncMode.NOSYNC, ReadPolicy.READ_INDEX, FIRST_SEED + 3_000_000, SEEDS);
  }
}
