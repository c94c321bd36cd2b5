package leasekv.fsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash tests in a forked JVM (see {@link FsmCrashChild}): the child keeps RocksDB's unsynced WAL
 * writes in its own memory, so halting it loses them as a power loss loses the page cache. What
 * this cannot show: loss inside the filesystem (reordered or torn sector writes, lost directory
 * entries, SST files); the harness's lazyfs power-loss fault covers those.
 */
class FsmPowerLossTest {
  @TempDir Path tmp;

  private static final int BATCHES = 10;
  private static final int PER_BATCH = 5;
  private static final int DURABLE_EVERY = 4;

  record ChildRun(long applied, long durable, long durableClaimed) {}

  private ChildRun runChild(Path dir, boolean unsafe) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), FsmCrashChild.class.getName(),
        dir.toString(), Boolean.toString(unsafe), "" + BATCHES, "" + PER_BATCH, "" + DURABLE_EVERY)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("crash child did not finish:\n" + out);
    }
    assertEquals(0, p.exitValue(), out);
    long applied = 0;
    long durable = 0;
    long claimed = 0;
    for (String line : out.split("\n")) {
      if (line.startsWith("applied ")) applied = Long.parseLong(line.substring(8).trim());
      if (line.startsWith("durable ")) durable = Long.parseLong(line.substring(8).trim());
      if (line.startsWith("durable-claimed ")) claimed = Long.parseLong(line.substring(16).trim());
    }
    assertEquals((long) BATCHES * PER_BATCH, applied, out);
    return new ChildRun(applied, durable, claimed);
  }

  private static List<Long> acked(StateMachine fsm) throws Exception {
    List<Long> out = new ArrayList<>();
    try (ReadView v = fsm.readView()) {
      for (byte[] e : v.lrange("acked".getBytes(StandardCharsets.UTF_8), 0, -1)) out.add(Long.parseLong(new String(e, StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) out.add(i);
    return out;
  }

  @Test
  void nosyncPowerLossRollsBackToAConsistentPrefixThatReplayRepairs() throws Exception {
    Path dir = tmp.resolve("safe");
    ChildRun run = runChild(dir, false);
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      long recovered = fsm.appliedIndex();
      assertTrue(recovered >= run.durable() && recovered <= run.applied(),
          "recovered " + recovered + " outside [durable " + run.durable() + ", applied " + run.applied() + "]");
      assertTrue(recovered < run.applied(), "the unsynced tail should have been lost (else this test shows nothing)");
      assertEquals(range(1, recovered), acked(fsm), "data and applied index were persisted together");
      // The node replays its Raft log from applied + 1:
      fsm.apply(FsmCrashChild.batch(recovered + 1, (int) (run.applied() - recovered)));
      assertEquals(range(1, run.applied()), acked(fsm), "replay repaired everything");
    }
  }

  @Test
  void unsafeAppliedIndexAheadOfDataLosesWritesForGood() throws Exception {
    Path dir = tmp.resolve("unsafe");
    ChildRun run = runChild(dir, true);
    assertEquals(run.applied(), run.durableClaimed(), "the unsafe mode believes everything is durable");
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      long recovered = fsm.appliedIndex();
      assertEquals(run.applied(), recovered, "the synced applied index survived");
      List<Long> acked = acked(fsm);
      assertTrue(acked.size() < recovered, "the data of the last batch was lost under its applied index");
      // Replay from applied + 1 has nothing to do, so the lost entries never come back.
      long missing = recovered - acked.size();
      assertEquals(PER_BATCH, missing);
      assertEquals(range(1, recovered - PER_BATCH), acked);
    }
  }
}
