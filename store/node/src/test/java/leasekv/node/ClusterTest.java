package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import leasekv.client.DefiniteFailureException;
import leasekv.client.LeaseKvClient;
import leasekv.client.ReadResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real nodes on loopback: the store's behaviour as a client sees it. */
class ClusterTest {
  @TempDir Path dir;
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) cluster.close();
  }

  @Test
  void electsALeaderAndServesLinearizableReadsAndWrites() throws Exception {
    cluster = new LocalCluster(dir, 3, c -> c).startAll();
    String leader = cluster.awaitLeader(10_000);
    try (LeaseKvClient c = cluster.client()) {
      c.set("k", "v1");
      assertEquals("v1", c.get("k"));
      assertTrue(c.cas("k", "v1", "v2"));
      assertFalse(c.cas("k", "v1", "v3"));
      assertEquals("v2", c.get("k"));
      assertEquals(3, c.rpush("list", "a", "b", "c"));
      assertEquals(List.of("b", "c"), c.lrange("list", 1, -1));
      assertEquals(1, c.del("k"));
      assertNull(c.get("k"));
      ReadResult r = c.read("list-absent");
      assertNull(r.value());
      assertEquals(leader, r.servedBy());
      assertEquals("lease", r.readMode());
    }
    String follower = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    try (LeaseKvClient pinned = cluster.pinned(follower)) {
      DefiniteFailureException e = assertThrows(DefiniteFailureException.class, () -> pinned.get("list"));
      assertTrue(e.getMessage().contains("NOTLEADER " + leader), e.getMessage());
    }
    cluster.awaitConvergence(10_000);
  }

  /** Reads of the wrong kind of key answer WRONGTYPE from the real node, as writes do (docs/contracts.md). */
  @Test
  void readsOfTheWrongTypeAnswerWrongtype() throws Exception {
    cluster = new LocalCluster(dir, 1, c -> c).startAll();
    cluster.awaitLeader(10_000);
    try (LeaseKvClient c = cluster.client()) {
      c.rpush("list", "a");
      c.set("string", "v");
      for (Runnable wrong : List.<Runnable>of(() -> c.get("list"), () -> c.read("list"), () -> c.lrange("string", 0, -1),
          () -> c.set("list", "x"), () -> c.rpush("string", "x"))) {
        DefiniteFailureException e = assertThrows(DefiniteFailureException.class, wrong::run);
        assertTrue(e.getMessage().contains("answered -WRONGTYPE "), e.getMessage());
      }
      assertEquals(List.of("a"), c.lrange("list", 0, -1), "the refused commands changed nothing");
      assertEquals("v", c.get("string"));
    }
  }

  @Test
  void aNewNodeStartsNoElectionUntilItReachesAMajority() throws Exception {
    cluster = new LocalCluster(dir, 3, c -> c);
    cluster.start("n1");
    // Alone, n1 cannot reach a majority: its election timer does not run, so it never even asks
    // for pre-votes (which would otherwise queue up for peers that are not there yet).
    for (int i = 0; i < 10; i++) {
      Thread.sleep(120); // 4 election timeouts of 300 ms in all
      try (LeaseKvClient c = cluster.pinned("n1")) {
        assertEquals("follower", c.role().role(), "a node that reaches no majority stays a plain follower");
      }
    }
    cluster.start("n2");
    assertTrue(List.of("n1", "n2").contains(cluster.awaitLeader(10_000)));
  }

  @Test
  void aShrunkConfigurationRestartsOnAQuorumOfItsVotersThoughNotOfItsPeers() throws Exception {
    cluster = new LocalCluster(dir, 5, c -> c).startAll();
    String leader = cluster.awaitLeader(10_000);
    List<String> others = cluster.ids().stream().filter(id -> !id.equals(leader)).toList();
    List<String> voters = List.of(leader, others.get(0), others.get(1));
    try (LeaseKvClient c = cluster.client()) {
      for (String removed : others.subList(2, 4)) {
        c.command("ADMIN", "REMOVE-VOTER", removed);
        cluster.stop(removed);
      }
      c.set("k", "v");
    }
    cluster.awaitConvergence(10_000);
    for (String id : voters) cluster.stop(id);
    // Two of the three voters are a quorum, though only two of the five nodes --peers names: the
    // start-up gate on the election timer must count the configuration, or neither ever ticks.
    cluster.start(voters.get(1));
    cluster.start(voters.get(2));
    assertTrue(voters.subList(1, 3).contains(cluster.awaitLeader(10_000)));
    try (LeaseKvClient c = cluster.client()) {
      assertEquals("v", c.get("k"));
    }
  }

  @Test
  void readIndexModeServesReadsWithoutTheLease() throws Exception {
    cluster = new LocalCluster(dir, 3, c -> withReadMode(c, ReadModeSetting.READ_INDEX)).startAll();
    cluster.awaitLeader(10_000);
    try (LeaseKvClient c = cluster.client()) {
      c.set("k", "v");
      ReadResult r = c.read("k");
      assertEquals("v", r.value());
      assertEquals("read-index", r.readMode());
    }
  }

  @Test
  void survivesTheLeadersCrashAndTheRestartedNodeCatchesUp() throws Exception {
    cluster = new LocalCluster(dir, 3, c -> c).startAll();
    String first = cluster.awaitLeader(10_000);
    try (LeaseKvClient c = cluster.client()) {
      for (int i = 0; i < 50; i++) c.rpush("xs", "a" + i);
      cluster.stop(first);
      String second = cluster.awaitLeader(10_000);
      assertNotEquals(first, second);
      for (int i = 0; i < 50; i++) c.rpush("xs", "b" + i);
      assertEquals(100, c.lrange("xs", 0, -1).size());
    }
    cluster.start(first);
    cluster.awaitConvergence(15_000);
  }

  @Test
  void aFollowerThatMissedCompactedEntriesReceivesASnapshot() throws Exception {
    cluster = new LocalCluster(dir, 3, c -> withCompaction(c, 20, 0)).startAll();
    String leader = cluster.awaitLeader(10_000);
    String lagging = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    cluster.stop(lagging);
    List<String> expected = new ArrayList<>();
    try (LeaseKvClient c = cluster.client()) {
      for (int i = 0; i < 200; i++) {
        c.rpush("xs", "v" + i);
        expected.add("v" + i);
      }
    }
    cluster.start(lagging);
    cluster.awaitConvergence(20_000);
    try (LeaseKvClient c = cluster.client()) {
      c.command("ADMIN", "TRANSFER", lagging);
      assertEquals(lagging, cluster.awaitLeader(10_000));
      assertEquals(expected, c.lrange("xs", 0, -1));
    }
  }

  @Test
  void transfersLeadershipOnRequest() throws Exception {
    cluster = new LocalCluster(dir, 3, c -> c).startAll();
    String leader = cluster.awaitLeader(10_000);
    String target = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    try (LeaseKvClient c = cluster.pinned(leader)) {
      assertEquals("OK", c.command("ADMIN", "TRANSFER", target));
    }
    assertEquals(target, cluster.awaitLeader(10_000));
  }

  @Test
  void removesAndAddsBackAVoter() throws Exception {
    cluster = new LocalCluster(dir, 3, c -> c).startAll();
    String leader = cluster.awaitLeader(10_000);
    String other = cluster.ids().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    try (LeaseKvClient c = cluster.pinned(leader)) {
      c.command("ADMIN", "REMOVE-VOTER", other);
      assertFalse(String.valueOf(c.command("ADMIN", "MEMBERS")).contains(other));
      c.set("while-removed", "x");
      c.command("ADMIN", "ADD-VOTER", other);
      assertTrue(String.valueOf(c.command("ADMIN", "MEMBERS")).contains(other));
    }
    cluster.awaitConvergence(15_000);
  }

  @Test
  void testHooksAreOffByDefault() throws Exception {
    cluster = new LocalCluster(dir, 1, c -> withoutTestHooks(c)).startAll();
    cluster.awaitLeader(10_000);
    try (LeaseKvClient c = cluster.client()) {
      DefiniteFailureException e = assertThrows(DefiniteFailureException.class, () -> c.command("ADMIN", "CLOCK"));
      assertTrue(e.getMessage().contains("DISABLED"), e.getMessage());
    }
  }

  static NodeConfig withReadMode(NodeConfig c, ReadModeSetting mode) {
    return c.toBuilder().readMode(mode).build();
  }

  static NodeConfig withCompaction(NodeConfig c, long interval, long retain) {
    return c.toBuilder().snapshotIntervalEntries(interval).logRetainEntries(retain).build();
  }

  static NodeConfig withoutTestHooks(NodeConfig c) {
    return c.toBuilder().testHooks(false).build();
  }
}
