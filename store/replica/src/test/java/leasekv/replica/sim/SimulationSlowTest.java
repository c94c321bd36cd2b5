package leasekv.replica.sim;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import leasekv.fsm.SyncMode;
import leasekv.replica.ReadPolicy;
import leasekv.replica.UnsafeModes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The long sweep for nightly and {@code make simulate}: many seeds per configuration (3 and 5 nodes,
 * both state-machine sync modes, both read modes). {@code -Dsim.seeds=N} (default 250) and
 * {@code -Dsim.firstSeed=S} choose the seeds; tagged slow, so {@code make test} leaves it out.
 *
 * <p>{@link #catchRate()} measures how sensitive the simulation is to one unsafe build instead
 * ({@code make simulate UNSAFE=mode SEEDS=N}).
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

  /**
   * {@code -Dsim.unsafe=mode}: runs the seeds (alternating 3 and 5 nodes, as
   * {@code SimulationTest.eachUnsafeModeIsCaught} orders them) against that unsafe build and prints
   * how many runs caught it and where the first catches were. It fails if no run caught it.
   */
  @Test
  void catchRate() {
    String unsafe = System.getProperty("sim.unsafe", "");
    Assumptions.assumeFalse(unsafe.isBlank(), "set -Dsim.unsafe=mode to measure its catch rate");
    UnsafeModes modes = UnsafeModes.parse(unsafe);
    List<SimParams> params = new ArrayList<>();
    for (int i = 0; i < SEEDS; i++) {
      params.add(SimParams.safe(FIRST_SEED + i / 2, i % 2 == 0 ? 3 : 5).withUnsafe(modes));
    }
    List<SimResult> results = SimulationTest.runAll(params);
    List<Integer> caughtIn = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      if (!results.get(i).passed()) caughtIn.add(i + 1);
    }
    System.out.printf("%s: caught in %d of %d runs (%.0f%%); first catches at runs %s%n", unsafe, caughtIn.size(),
        results.size(), 100.0 * caughtIn.size() / results.size(), caughtIn.subList(0, Math.min(10, caughtIn.size())));
    if (caughtIn.isEmpty()) fail(unsafe + " was not caught in " + results.size() + " runs");
  }
}
