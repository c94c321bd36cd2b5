package leasekv.bench.peers;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Redis 7, single node: without persistence (the protocol's ceiling here) and with {@code appendfsync always}. */
final class RedisPhase {
  private final NetnsCluster net;
  private final Path dataDir;
  private final PointRunner runner;
  private final List<Integer> concurrency;
  private final int keys;
  private final int valueBytes;
  private final PrintStream log;

  RedisPhase(NetnsCluster net, Path dataDir, PointRunner runner, List<Integer> concurrency, int keys, int valueBytes,
      PrintStream log) {
    this.net = net;
    this.dataDir = dataDir;
    this.runner = runner;
    this.concurrency = concurrency;
    this.keys = keys;
    this.valueBytes = valueBytes;
    this.log = log;
  }

  List<Point> run() throws Exception {
    List<Point> points = new ArrayList<>();
    points.addAll(one("redis", false));
    points.addAll(one("redis-aof-always", true));
    return points;
  }

  private List<Point> one(String system, boolean fsyncAlways) throws Exception {
    List<Point> points = new ArrayList<>();
    try (RedisServer redis = new RedisServer(net, dataDir.resolve(system), fsyncAlways)) {
      redis.start();
      log.println(system + " up at " + redis.host());
      LoadTool set = RedisBenchmarkLoad.set(redis.host(), RedisServer.PORT, keys, valueBytes);
      set.run(16, keys * 3L);
      LoadTool get = RedisBenchmarkLoad.get(redis.host(), RedisServer.PORT, keys);
      for (int c : concurrency) points.add(runner.measure(system, "set", c, set, PointRunner.Observer.NONE));
      for (int c : concurrency) points.add(runner.measure(system, "get", c, get, PointRunner.Observer.NONE));
    }
    return points;
  }
}
