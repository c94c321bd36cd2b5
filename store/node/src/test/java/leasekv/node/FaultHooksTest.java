package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import leasekv.client.LeaseKvClient;
import leasekv.client.ReadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's fault hooks on three real nodes. */
class FaultHooksTest {
  @TempDir Path dir;
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) cluster.close();
  }

  @Test
  void wallClockStepsEitherWayLeaveLeasesAndElectionTimersAlone() throws Exception {
    cluster = new LocalCluster(dir, 3, c -> c).startAll();
    String leader = cluster.awaitLeader(10_000);
    long term;
    try (LeaseKvClient c = cluster.pinned(leader)) {
      c.set("k", "v");
      term = c.role().term();
      assertEquals("OK", c.command("ADMIN", "CLOCK", "WALL-STEP", "-3600000"));
      assertEquals(-3_600_000_000_000L, ((List<?>) c.command("ADMIN", "CLOCK")).get(3));
    }
    for (String id : cluster.ids()) {
      if (id.equals(leader)) continue;
      try (LeaseKvClient c = cluster.pinned(id)) {
        c.command("ADMIN", "CLOCK", "WALL-STEP", "3600000");
      }
    }
    Thread.sleep(1_000); // several election timeouts (300 ms) and leases
    try (LeaseKvClient c = cluster.pinned(leader)) {
      for (int i = 0; i < 20; i++) {
        c.set("k", "v" + i);
        ReadResult r = c.read("k");
        assertEquals("v" + i, r.value());
        assertEquals("lease", r.readMode(), "a wall step must not invalidate the lease");
      }
      assertEquals(term, c.role().term(), "nobody started an election: election timers do not read wall time");
      c.command("ADMIN", "CLOCK", "RESET");
      assertEquals(0L, ((List<?>) c.command("ADMIN", "CLOCK")).get(3));
    }
  }
}
