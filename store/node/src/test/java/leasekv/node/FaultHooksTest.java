package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import leasekv.client.LeaseKvClient;
import leasekv.client.ReadResult;
import leasekv.client.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness's fault hooks on three real nodes: a stalled apply thread and wall-clock steps. */
class FaultHooksTest {
  @TempDir Path dir;
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) cluster.close();
  }

  @Test
  void aStalledApplyThreadHoldsCommittedEntriesAndTheLeaseReadsThatNeedThem() throws Exception {
    cluster = new LocalCluster(dir, 3, c -> c).startAll();
    String leader = cluster.awaitLeader(10_000);
    try (LeaseKvClient admin = cluster.pinned(leader); LeaseKvClient writer = cluster.pinned(leader);
        LeaseKvClient reader = cluster.pinned(leader)) {
      writer.set("k", "before");
      assertEquals("OK", admin.command("ADMIN", "STALL-APPLY", "1500"));
      long t0 = System.nanoTime();
      CompletableFuture<Void> write = CompletableFuture.runAsync(() -> writer.set("k", "after"));
      Role during = awaitCommittedAhead(admin, 1_000);
      assertTrue(during.commitIndex() > during.appliedIndex(), "committed but not applied: " + during);

      ReadResult read = reader.read("k"); // arrives while the entry is committed and unapplied
      long readMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals("after", read.value(), "the read waited for its fence, the committed write");
      assertEquals("lease", read.readMode());
      assertTrue(readMillis >= 1_300, "the read was served only after the stall, at " + readMillis + " ms");
      write.get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void stallApplyZeroEndsAStallAtOnce() throws Exception {
    cluster = new LocalCluster(dir, 3, c -> c).startAll();
    String leader = cluster.awaitLeader(10_000);
    try (LeaseKvClient admin = cluster.pinned(leader); LeaseKvClient writer = cluster.pinned(leader)) {
      admin.command("ADMIN", "STALL-APPLY", "60000");
      CompletableFuture<Void> write = CompletableFuture.runAsync(() -> writer.set("k", "v"));
      awaitCommittedAhead(admin, 1_000);
      admin.command("ADMIN", "STALL-APPLY", "0");
      write.get(2, TimeUnit.SECONDS);
      assertEquals("v", writer.get("k"));
    }
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

  private static Role awaitCommittedAhead(LeaseKvClient admin, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (true) {
      Role r = admin.role();
      if (r.commitIndex() > r.appliedIndex() || System.nanoTime() > deadline) return r;
      Thread.sleep(5);
    }
  }
}
