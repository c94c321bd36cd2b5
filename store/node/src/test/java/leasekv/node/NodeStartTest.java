package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's start refuses what would harm a running node, with one line and exit 2 (issue 16, items 1 and 3). */
class NodeStartTest {
  @TempDir Path dir;
  private LocalCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) cluster.close();
  }

  private record Outcome(int status, String err) {}

  private static Outcome run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Outcome(status, bytes.toString(StandardCharsets.UTF_8));
  }

  private static Map<String, Long> listing(Path d) throws Exception {
    Map<String, Long> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(d)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(p)) out.put(d.relativize(p).toString(), Files.size(p));
      }
    }
    return out;
  }

  @Test
  void aSecondNodeOnARunningNodesDataDirTouchesNothingAndSaysWhoHasIt() throws Exception {
    cluster = new LocalCluster(dir, 1, c -> c).startAll();
    cluster.awaitLeader(10_000);
    Path walDir = dir.resolve("n1").resolve("wal");
    Map<String, Long> before = listing(walDir);
    assertTrue(before.keySet().stream().anyMatch(n -> n.endsWith(".tmp")), "the live WAL keeps a spare segment: " + before);

    Outcome o = run("--id", "n1", "--peers", "n1=127.0.0.1:" + TestPorts.free() + ":" + TestPorts.free(), "--data-dir",
        dir.resolve("n1").toString(), "--metrics-addr", "127.0.0.1:0");
    assertEquals(2, o.status(), o.err());
    assertTrue(o.err().contains("is in use by pid " + ProcessHandle.current().pid()), o.err());
    assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
    assertEquals(before, listing(walDir), "the running node's WAL is untouched");
  }

  @Test
  void aTakenPortStopsTheStartWithOneLineNamingTheOption() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Outcome o = run("--id", "n1", "--peers", "n1=127.0.0.1:" + TestPorts.free() + ":" + TestPorts.free(), "--data-dir",
          dir.toString(), "--client-addr", "127.0.0.1:" + port, "--metrics-addr", "127.0.0.1:0");
      assertEquals(2, o.status(), o.err());
      assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
      assertTrue(o.err().contains("--client-addr 127.0.0.1:" + port), o.err());
      assertFalse(o.err().contains("Exception"), o.err());
    }
    // Nothing was left locked or bound: the same data directory starts cleanly afterwards.
    cluster = new LocalCluster(dir.resolve("again"), 1, c -> c).startAll();
    cluster.awaitLeader(10_000);
    List<String> ports = List.of(cluster.clientAddress("n1"));
    assertEquals(1, ports.size());
  }
}
