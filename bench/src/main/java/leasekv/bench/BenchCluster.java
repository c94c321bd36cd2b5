package leasekv.bench;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import leasekv.client.LeaseKvClient;

/**
 * A cluster of real node processes on loopback for benchmarks: each node is its own JVM started from
 * the store jar ({@code java -jar leasekv-store.jar}), so the measured store is the one users run.
 * Closing it kills the processes and deletes the data.
 */
final class BenchCluster implements AutoCloseable {
  private final Path dataRoot;
  private final List<Process> processes = new ArrayList<>();
  private final List<String> clientAddresses = new ArrayList<>();

  BenchCluster(Path storeJar, int size, List<String> nodeOptions) throws IOException {
    dataRoot = Files.createTempDirectory("leasekv-bench");
    List<String> peers = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      int clientPort = freePort();
      peers.add("n" + i + "=127.0.0.1:" + freePort() + ":" + clientPort);
      clientAddresses.add("127.0.0.1:" + clientPort);
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (int i = 1; i <= size; i++) {
      List<String> cmd = new ArrayList<>(List.of(java, "-Xms512m", "-Xmx1g", "-XX:+UseG1GC", "-jar", storeJar.toString(),
          "--id", "n" + i, "--peers", String.join(",", peers),
          "--data-dir", dataRoot.resolve("n" + i).toString(), "--metrics-addr", "127.0.0.1:" + freePort()));
      cmd.addAll(nodeOptions);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dataRoot.resolve("n" + i + ".log").toFile()).start();
      processes.add(p);
    }
  }

  List<String> clientAddresses() {
    return clientAddresses;
  }

  /** Waits until a leader is known and returns its client address. */
  String awaitLeader(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      for (String address : clientAddresses) {
        try (LeaseKvClient c = LeaseKvClient.builder().nodes(List.of(address)).pinned(true)
            .requestTimeoutMillis(500).build()) {
          if (c.role().isLeader()) {
            c.set("bench-warmup", "x"); // the leader has committed in its term and serves
            return address;
          }
        } catch (RuntimeException e) {
          // not up yet
        }
      }
      for (Process p : processes) {
        if (!p.isAlive()) throw new IllegalStateException("a node exited with status " + p.exitValue() + "; logs in " + dataRoot);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no leader within " + timeoutMillis + " ms; logs in " + dataRoot);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    for (Process p : processes) p.destroyForcibly();
    for (Process p : processes) p.waitFor(10, TimeUnit.SECONDS);
    try (Stream<Path> paths = Files.walk(dataRoot)) {
      paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
