package leasekv.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One redis-server (Debian's Redis 7) in node 1's namespace: no persistence, or AOF with {@code appendfsync always}. */
final class RedisServer implements AutoCloseable {
  static final int PORT = 6379;

  private final NetnsCluster net;
  private final Path dir;
  private final boolean appendFsyncAlways;

  RedisServer(NetnsCluster net, Path dir, boolean appendFsyncAlways) {
    this.net = net;
    this.dir = dir;
    this.appendFsyncAlways = appendFsyncAlways;
  }

  String host() {
    return net.address(1);
  }

  void start() throws Exception {
    Files.createDirectories(dir);
    DataDirs.deleteTree(dir);
    List<String> cmd = new ArrayList<>(List.of("redis-server", "--bind", host(), "--port", String.valueOf(PORT),
        "--dir", dir.toString(), "--save", "", "--protected-mode", "no", "--daemonize", "no"));
    cmd.addAll(appendFsyncAlways ? List.of("--appendonly", "yes", "--appendfsync", "always") : List.of("--appendonly", "no"));
    net.start(1, cmd, dir.resolve("redis.log"));
    long deadline = System.currentTimeMillis() + 20_000;
    while (!NetnsCluster.run(List.of("redis-cli", "-h", host(), "-p", String.valueOf(PORT), "PING"), false).contains("PONG")) {
      if (System.currentTimeMillis() > deadline) throw new IllegalStateException("redis-server did not answer PING in 20 s");
      Thread.sleep(100);
    }
  }

  @Override
  public void close() throws InterruptedException, IOException {
    net.killAll();
    DataDirs.deleteAllButLogs(dir);
  }
}
