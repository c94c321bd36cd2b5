package leasekv.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd 3.4 from Debian ({@code /usr/bin/etcd}), one member per namespace, default settings apart
 * from the addresses every static cluster must name. Data on the normal disk.
 */
final class EtcdCluster implements AutoCloseable {
  static final int CLIENT_PORT = 2379;
  static final int PEER_PORT = 2380;

  private final NetnsCluster net;
  private final Path dataRoot;
  private final String etcd;

  EtcdCluster(NetnsCluster net, Path dataRoot, String etcdBinary) {
    this.net = net;
    this.dataRoot = dataRoot;
    this.etcd = etcdBinary;
  }

  /** Wipes the data, starts every member and returns once all of them answer healthy. */
  void start() throws Exception {
    Files.createDirectories(dataRoot);
    DataDirs.deleteTree(dataRoot);
    List<String> initial = new ArrayList<>();
    for (int i = 1; i <= net.size(); i++) initial.add("n" + i + "=http://" + net.address(i) + ":" + PEER_PORT);
    for (int i = 1; i <= net.size(); i++) {
      String a = net.address(i);
      net.start(i, List.of(etcd, "--name", "n" + i, "--data-dir", dataRoot.resolve("n" + i).toString(),
          "--listen-client-urls", "http://" + a + ":" + CLIENT_PORT, "--advertise-client-urls", "http://" + a + ":" + CLIENT_PORT,
          "--listen-peer-urls", "http://" + a + ":" + PEER_PORT, "--initial-advertise-peer-urls", "http://" + a + ":" + PEER_PORT,
          "--initial-cluster", String.join(",", initial), "--initial-cluster-state", "new",
          "--initial-cluster-token", net.prefix() + "-bench"), dataRoot.resolve("n" + i + ".log"));
    }
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      String out = NetnsCluster.run(List.of("etcdctl", "--endpoints", String.join(",", endpoints()),
          "--dial-timeout", "1s", "--command-timeout", "2s", "endpoint", "health"), false);
      if (out.split("is healthy").length - 1 == net.size()) return;
      if (System.currentTimeMillis() > deadline) throw new IllegalStateException("etcd not healthy within 60 s: " + out);
      Thread.sleep(200);
    }
  }

  List<String> endpoints() {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= net.size(); i++) out.add(net.address(i) + ":" + CLIENT_PORT);
    return out;
  }

  @Override
  public void close() throws InterruptedException, IOException {
    net.killAll();
    DataDirs.deleteAllButLogs(dataRoot);
  }
}
