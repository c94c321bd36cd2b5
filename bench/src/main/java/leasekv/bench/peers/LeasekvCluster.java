package leasekv.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import leasekv.client.LeaseKvClient;

/**
 * A leasekv cluster of real node processes ({@code java -jar leasekv-store.jar}), one per namespace
 * of a {@link NetnsCluster}, with its data on the normal disk. Nodes can be killed and restarted
 * one at a time (the snapshot-transfer scenario needs a lagging follower).
 */
final class LeasekvCluster implements AutoCloseable {
  static final int CLIENT_PORT = 6379;
  static final int PEER_PORT = 7000;
  static final int METRICS_PORT = 9100;

  private final NetnsCluster net;
  private final Path jar;
  private final Path dataRoot;
  private final List<String> nodeOptions;
  private final List<String> jvmOptions;
  private final Process[] processes;

  LeasekvCluster(NetnsCluster net, Path jar, Path dataRoot, List<String> jvmOptions, List<String> nodeOptions) {
    this.net = net;
    this.jar = jar;
    this.dataRoot = dataRoot;
    this.jvmOptions = jvmOptions;
    this.nodeOptions = nodeOptions;
    this.processes = new Process[net.size() + 1];
  }

  /** Wipes the data, starts every node and returns the leader's client host once it serves writes. */
  String start() throws Exception {
    Files.createDirectories(dataRoot);
    DataDirs.deleteTree(dataRoot);
    Files.createDirectories(dataRoot);
    for (int i = 1; i <= net.size(); i++) startNode(i);
    return awaitLeader(60_000);
  }

  void startNode(int i) throws IOException {
    List<String> peers = new ArrayList<>();
    for (int j = 1; j <= net.size(); j++) peers.add("n" + j + "=" + net.address(j) + ":" + PEER_PORT + ":" + CLIENT_PORT);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString(), "--id", "n" + i, "--peers", String.join(",", peers),
        "--data-dir", dataRoot.resolve("n" + i).toString(),
        "--metrics-addr", net.address(i) + ":" + METRICS_PORT));
    cmd.addAll(nodeOptions);
    processes[i] = net.start(i, cmd, dataRoot.resolve("n" + i + ".log"));
  }

  void killNode(int i) throws InterruptedException {
    if (processes[i] != null) net.kill(processes[i]);
    processes[i] = null;
  }

  Path log(int i) {
    return dataRoot.resolve("n" + i + ".log");
  }

  String metricsUrl(int i) {
    return "http://" + net.address(i) + ":" + METRICS_PORT + "/metrics";
  }

  /** Node index of {@code host}. */
  int nodeOf(String host) {
    for (int i = 1; i <= net.size(); i++) if (net.address(i).equals(host)) return i;
    throw new IllegalArgumentException("no node at " + host);
  }

  /** Waits until a node says it leads and has committed a write in its term; returns its host. */
  String awaitLeader(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      for (int i = 1; i <= net.size(); i++) {
        String host = net.address(i);
        try (LeaseKvClient c = LeaseKvClient.builder().nodes(List.of(host + ":" + CLIENT_PORT)).pinned(true)
            .requestTimeoutMillis(1000).build()) {
          if (c.role().isLeader()) {
            c.set("bench-ready", "x");
            return host;
          }
        } catch (RuntimeException e) {
          // not up yet
        }
      }
      for (int i = 1; i <= net.size(); i++) {
        if (processes[i] != null && !processes[i].isAlive()) {
          throw new IllegalStateException("node n" + i + " exited with status " + processes[i].exitValue() + "; log " + log(i));
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no leader within " + timeoutMillis + " ms; logs in " + dataRoot);
  }

  @Override
  public void close() throws InterruptedException, IOException {
    for (int i = 1; i <= net.size(); i++) killNode(i);
    DataDirs.deleteAllButLogs(dataRoot);
  }
}
