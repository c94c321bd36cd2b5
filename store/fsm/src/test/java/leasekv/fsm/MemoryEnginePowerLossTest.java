package leasekv.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import leasekv.fsm.testing.MemoryEngine;
import org.junit.jupiter.api.Test;

/**
 * The simulation's engine keeps the contract {@link FsmPowerLossTest} shows for RocksDB: a power loss
 * rolls back to a prefix of whole batches (data and applied index together), and the unsafe mode
 * applied-index-ahead-of-data loses data under a surviving applied index.
 */
class MemoryEnginePowerLossTest {
  private static List<Long> acked(StateMachine fsm) throws Exception {
    List<Long> out = new ArrayList<>();
    try (ReadView v = fsm.readView()) {
      for (byte[] e : v.lrange("acked".getBytes(StandardCharsets.UTF_8), 0, -1)) {
        out.add(Long.parseLong(new String(e, StandardCharsets.UTF_8)));
      }
    }
    return out;
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) out.add(i);
    return out;
  }

  @Test
  void powerLossKeepsAPrefixOfWholeBatchesThatReplayRepairs() throws Exception {
    for (long seed = 1; seed <= 20; seed++) {
      MemoryEngine disk = new MemoryEngine();
      StateMachine fsm = StateMachine.open(disk, SyncMode.NOSYNC, false);
      long durable = 0;
      for (int b = 0; b < 10; b++) {
        fsm.apply(FsmCrashChild.batch(fsm.appliedIndex() + 1, 5));
        if (b == 3) durable = fsm.makeDurable();
      }
      disk.powerLoss(new Random(seed));
      StateMachine recovered = StateMachine.open(disk, SyncMode.NOSYNC, false);
      long applied = recovered.appliedIndex();
      assertTrue(applied >= durable && applied <= 50 && applied % 5 == 0, "seed " + seed + ": applied " + applied);
      assertEquals(range(1, applied), acked(recovered), "seed " + seed + ": data and applied index together");
      recovered.apply(FsmCrashChild.batch(applied + 1, (int) (50 - applied)));
      assertEquals(range(1, 50), acked(recovered));
    }
  }

  @Test
  void unsafeAppliedIndexAheadOfDataLosesWritesUnderASurvivingIndex() throws Exception {
    MemoryEngine disk = new MemoryEngine();
    StateMachine fsm = StateMachine.open(disk, SyncMode.NOSYNC, true);
    for (int b = 0; b < 10; b++) fsm.apply(FsmCrashChild.batch(fsm.appliedIndex() + 1, 5));
    disk.powerLoss(new Random(0) {
      @Override
      public int nextInt(int bound) {
        return 0; // keep none of the unsynced batches
      }
    });
    StateMachine recovered = StateMachine.open(disk, SyncMode.NOSYNC, true);
    assertEquals(50, recovered.appliedIndex(), "the synced index survived");
    assertTrue(acked(recovered).size() < 50, "the data under it did not");
  }
}
