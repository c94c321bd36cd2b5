package leasekv.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import leasekv.client.LeaseKvClient;
import leasekv.client.LeaseKvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ADMIN CRASH-AT}: a one-node store in its own JVM halts (exit 137) exactly at the armed point
 * of a Ready, and restarts from what was durable there.
 */
class CrashAtTest {
  @TempDir Path dir;

  private Process start(int peerPort, int clientPort, boolean testHooks) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "leasekv.node.Main", "--id", "n1", "--peers", "n1=127.0.0.1:" + peerPort + ":" + clientPort, "--data-dir",
        dir.toString(), "--metrics-addr", "127.0.0.1:0", "--client-addr", "127.0.0.1:" + clientPort,
        "--peer-addr", "127.0.0.1:" + peerPort, "--election-timeout-ms", "300", "--heartbeat-interval-ms", "50"));
    if (testHooks) cmd.add("--test-hooks");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(new File(dir.toFile(), "node.log")).start();
  }

  private static LeaseKvClient client(int clientPort) {
    return LeaseKvClient.builder().nodes(List.of("127.0.0.1:" + clientPort)).requestTimeoutMillis(2_000).build();
  }

  private static void awaitServing(LeaseKvClient c) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        c.set("ready", "1");
        return;
      } catch (LeaseKvException e) {
        if (System.nanoTime() > deadline) throw e;
        Thread.sleep(50);
      }
    }
  }

  @Test
  void theNodeHaltsAtTheArmedPointAndRestartsFromWhatWasDurable() throws Exception {
    int peerPort = TestPorts.free();
    int clientPort = TestPorts.free();
    Process node = start(peerPort, clientPort, true);
    try (LeaseKvClient c = client(clientPort)) {
      awaitServing(c);
      c.set("k", "durable");
      LeaseKvException unknown = assertThrows(LeaseKvException.class, () -> c.command("ADMIN", "CRASH-AT", "somewhere"));
      assertTrue(unknown.getMessage().contains("unknown crash point 'somewhere'"), unknown.getMessage());
      assertEquals("OK", c.command("ADMIN", "CRASH-AT", "before-log-sync"));
      assertThrows(LeaseKvException.class, () -> c.set("k", "never-synced"));
    } finally {
      assertTrue(node.waitFor(30, TimeUnit.SECONDS), "the node halted");
      node.destroyForcibly();
    }
    assertEquals(137, node.exitValue(), "halted at the armed point, as by kill -9");
    Process again = start(peerPort, clientPort, false);
    try (LeaseKvClient c = client(clientPort)) {
      awaitServing(c);
      assertEquals("durable", c.get("k"), "the write that never reached its sync was never acknowledged nor kept");
      LeaseKvException off = assertThrows(LeaseKvException.class, () -> c.command("ADMIN", "CRASH-AT", "before-log-sync"));
      assertTrue(off.getMessage().contains("DISABLED"), off.getMessage());
    } finally {
      again.destroy();
      again.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
