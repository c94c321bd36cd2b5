package leasekv.bench.peers;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import leasekv.bench.BenchCommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/bench-peers}: leasekv against etcd 3.4 and Redis 7 on the same namespace cluster, the
 * same disk and the same client concurrency, in one run, with the target ratios computed
 * from that run. Figures, not a pass/fail test.
 *
 * <p>Every system gets its own stock load generator: redis-benchmark for the two RESP servers
 * (leasekv and Redis), etcd's tools/benchmark for etcd. Both are C/Go programs that cost the two
 * cores far less per request than a JVM client would, so the servers, not the clients, set the pace.
 *
 * <p>Nothing is installed, built or started before every option is checked: {@code --help} and a bad
 * option never reach the tool check, the etcd benchmark's build (which may apt-get install Debian's Go
 * packages) or the namespaces.
 */
@Command(name = "bench-peers", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Benchmarks leasekv (sync/nosync, lease/ReadIndex), etcd 3.4 and Redis 7 in one run.")
public final class PeerBench implements Callable<Integer> {
  private static final List<String> SYSTEMS = List.of("redis", "leasekv", "etcd", "lease-health");
  private static final List<String> TOOLS = List.of("redis-server", "redis-benchmark", "redis-cli", "etcd", "etcdctl");

  @Spec
  CommandSpec spec;

  @Option(names = "--systems", defaultValue = "redis,leasekv,etcd,lease-health", split = ",",
      description = "What to run: redis, leasekv, etcd, lease-health (default: ${DEFAULT-VALUE}).")
  List<String> systems;

  @Option(names = "--concurrency", defaultValue = "1,16,64", split = ",", description = "Clients per point (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency;

  @Option(names = "--runs", defaultValue = "3", description = "Measured runs per point (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--seconds", defaultValue = "4", description = "Target length of one measured run (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--value-bytes", defaultValue = "256", description = "SET value size (default: ${DEFAULT-VALUE}).")
  int valueBytes;

  @Option(names = "--keys", defaultValue = "10000", description = "Key space (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--store-jar", defaultValue = "${env:LEASEKV_STORE_JAR}",
      description = "The leasekv store jar (default: $LEASEKV_STORE_JAR; bin/bench-peers sets it to store/node/target/leasekv-store.jar).")
  Path storeJar;

  @Option(names = "--node-jvm-options", defaultValue = "-Xms512m -Xmx1g -XX:+UseG1GC",
      description = "JVM options of each leasekv node (default: ${DEFAULT-VALUE}).")
  String nodeJvmOptions;

  @Option(names = "--store-args", defaultValue = "", description = "Extra options for every leasekv node.")
  String storeArgs;

  @Option(names = "--etcd-benchmark", description = "etcd's tools/benchmark binary (default: built by --etcd-benchmark-builder).")
  Path etcdBenchmark;

  @Option(names = "--etcd-benchmark-builder", defaultValue = "bench/build-etcd-benchmark.sh",
      description = "Builds etcd's benchmark tool (may apt-get install Debian's Go packages) and prints its path (default: ${DEFAULT-VALUE}).")
  Path etcdBenchmarkBuilder;

  @Option(names = "--etcd", defaultValue = "/usr/bin/etcd", description = "The etcd server (default: ${DEFAULT-VALUE}).")
  String etcd;

  @Option(names = "--data-dir", description = "Data of every system (default: /var/tmp/leasekv-bench or -<slot>).")
  Path dataDir;

  @Option(names = "--out", description = "Where the table and raw figures go (default: results/bench-peers/<time>).")
  Path out;

  public static void main(String[] args) {
    System.exit(BenchCommandLine.execute(new PeerBench(), args));
  }

  private int slot;

  /** Every option, checked before anything is installed, built or started. */
  void validate() {
    try {
      slot = NetnsCluster.slotFromEnvironment();
    } catch (IllegalArgumentException e) {
      BenchCommandLine.require(spec, false, e.getMessage());
    }
    BenchCommandLine.requireKnown(spec, "--systems", systems, SYSTEMS);
    BenchCommandLine.requireAtLeast(spec, "--concurrency", concurrency, 1);
    BenchCommandLine.requireAtLeast(spec, "--runs", List.of(runs), 1);
    BenchCommandLine.require(spec, seconds > 0, "--seconds must be positive, got " + seconds);
    BenchCommandLine.requireAtLeast(spec, "--value-bytes", List.of(valueBytes), 0);
    BenchCommandLine.requireAtLeast(spec, "--keys", List.of(keys), 1);
    if (systems.contains("leasekv") || systems.contains("lease-health")) BenchCommandLine.requireStoreJar(spec, storeJar);
    if (systems.contains("etcd") && etcdBenchmark != null) {
      BenchCommandLine.require(spec, Files.isExecutable(etcdBenchmark), "--etcd-benchmark " + etcdBenchmark + " is not an executable");
    }
    if (systems.contains("etcd") && etcdBenchmark == null) {
      BenchCommandLine.require(spec, Files.isExecutable(etcdBenchmarkBuilder),
          "--etcd-benchmark-builder " + etcdBenchmarkBuilder + " is not an executable (run from the repository root, as bin/bench-peers does)");
    }
  }

  /** The first of the tools this benchmark runs that is not on the PATH, or null. */
  static String missingTool(List<String> tools, String path) {
    for (String tool : tools) {
      boolean found = false;
      for (String dir : path.split(":")) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) found = true;
      }
      if (!found) return tool;
    }
    return null;
  }

  /** Runs the etcd benchmark's builder (its progress on stderr) and returns the path it prints. */
  private Path buildEtcdBenchmark() throws Exception {
    Process p = new ProcessBuilder(etcdBenchmarkBuilder.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.waitFor() != 0 || out.isEmpty()) return null;
    return Path.of(out.lines().reduce((a, b) -> b).orElse(out));
  }

  @Override
  public Integer call() throws Exception {
    validate();
    String missing = missingTool(TOOLS, System.getenv().getOrDefault("PATH", ""));
    if (missing != null) {
      System.err.println("bench-peers: " + missing + " is missing (apt-get install redis-server redis-tools etcd-server etcd-client)");
      return BenchCommandLine.USAGE_ERROR;
    }
    if (systems.contains("etcd") && etcdBenchmark == null) {
      etcdBenchmark = buildEtcdBenchmark();
      if (etcdBenchmark == null) {
        System.err.println("bench-peers: " + etcdBenchmarkBuilder + " did not build etcd's benchmark tool (its output is above)");
        return 1;
      }
    }
    if (dataDir == null) dataDir = Path.of(slot == 0 ? "/var/tmp/leasekv-bench" : "/var/tmp/leasekv-bench-" + slot);
    if (out == null) {
      out = Path.of("results", "bench-peers", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss")));
    }
    Files.createDirectories(out);
    PrintStream log = new PrintStream(new TeeStream(System.err, Files.newOutputStream(out.resolve("bench.log"))), true,
        StandardCharsets.UTF_8);
    NetnsCluster net = new NetnsCluster(slot, 3);
    Thread cleanup = new Thread(() -> {
      try {
        net.close();
      } catch (Exception e) {
        System.err.println("cleanup failed: " + e);
      }
    }, "bench-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C: kill the daemons, remove the namespaces
    Report report = new Report(log);
    report.machine(MachineInfo.describe(dataDir, slot));
    try {
      net.setUp();
      log.println("namespaces " + net.prefix() + "-n1..n3 up; data in " + dataDir + "; output in " + out);
      report.fsyncBefore(FsyncProbe.measure(dataDir, 3));
      log.printf(Locale.ROOT, "disk: %s%n", report.fsyncLine());
      PointRunner runner = new PointRunner(runs, seconds, log);
      if (systems.contains("redis")) report.addAll(new RedisPhase(net, dataDir, runner, concurrency, keys, valueBytes, log).run());
      if (systems.contains("leasekv")) report.addAll(leasekvPhases(net, runner, log));
      if (systems.contains("etcd")) report.addAll(etcdPhase(net, runner, log));
      if (systems.contains("lease-health")) {
        report.leaseHealth(new LeaseHealthScenario(net, storeJar, dataDir.resolve("lease-health"), jvmOptions(),
            storeArgList(), log).run());
      }
      report.fsyncAfter(FsyncProbe.measure(dataDir, 3));
    } finally {
      net.close();
      Runtime.getRuntime().removeShutdownHook(cleanup);
    }
    String table = report.render(concurrency);
    System.out.println(table);
    Files.writeString(out.resolve("table.md"), table);
    Files.writeString(out.resolve("raw.tsv"), report.raw());
    log.println("written: " + out.resolve("table.md") + ", " + out.resolve("raw.tsv"));
    return 0;
  }

  private List<String> jvmOptions() {
    return List.of(nodeJvmOptions.trim().split("\\s+"));
  }

  private List<String> storeArgList() {
    return storeArgs.isBlank() ? List.of() : List.of(storeArgs.trim().split("\\s+"));
  }

  private List<Point> leasekvPhases(NetnsCluster net, PointRunner runner, PrintStream log) throws Exception {
    List<Point> points = new ArrayList<>();
    points.addAll(leasekvCluster(net, runner, log, "nosync", "lease", List.of("set", "cas", "get")));
    points.addAll(leasekvCluster(net, runner, log, "nosync", "read-index", List.of("get")));
    points.addAll(leasekvCluster(net, runner, log, "sync", "lease", List.of("set", "cas")));
    return points;
  }

  private List<Point> leasekvCluster(NetnsCluster net, PointRunner runner, PrintStream log, String syncMode,
      String readMode, List<String> ops) throws Exception {
    String system = "leasekv-" + syncMode;
    List<String> options = new ArrayList<>(List.of("--fsm-sync-mode", syncMode, "--read-mode", readMode));
    options.addAll(storeArgList());
    List<Point> points = new ArrayList<>();
    try (LeasekvCluster cluster = new LeasekvCluster(net, storeJar, dataDir.resolve(system + "-" + readMode),
        jvmOptions(), options)) {
      String leader = cluster.start();
      log.println(system + " (" + readMode + " reads) up, leader " + leader);
      int port = LeasekvCluster.CLIENT_PORT;
      RedisBenchmarkLoad.set(leader, port, keys, valueBytes).run(16, keys * 3L); // every key exists: GET and CAS hit
      for (String op : ops) {
        LoadTool tool = switch (op) {
          case "set" -> RedisBenchmarkLoad.set(leader, port, keys, valueBytes);
          case "cas" -> RedisBenchmarkLoad.casSameValue(leader, port, keys, valueBytes);
          default -> RedisBenchmarkLoad.get(leader, port, keys);
        };
        String name = op.equals("get") ? "get-" + readMode : op;
        for (int c : concurrency) {
          points.add(runner.measure(system, name, c, tool, new StoreMetricsObserver(cluster, cluster.nodeOf(leader))));
        }
      }
    }
    return points;
  }

  private List<Point> etcdPhase(NetnsCluster net, PointRunner runner, PrintStream log) throws Exception {
    List<Point> points = new ArrayList<>();
    try (EtcdCluster cluster = new EtcdCluster(net, dataDir.resolve("etcd"), etcd)) {
      cluster.start();
      log.println("etcd up: " + cluster.endpoints());
      String tool = etcdBenchmark.toString();
      LoadTool put = EtcdBenchmarkLoad.put(tool, cluster.endpoints(), keys, valueBytes);
      put.run(16, keys * 3L);
      NetnsCluster.run(List.of("etcdctl", "--endpoints", String.join(",", cluster.endpoints()), "put", "bench-key",
          "x".repeat(valueBytes)), true);
      for (int c : concurrency) points.add(runner.measure("etcd", "put", c, put, PointRunner.Observer.NONE));
      LoadTool linearizable = EtcdBenchmarkLoad.range(tool, cluster.endpoints(), "bench-key", "l");
      for (int c : concurrency) points.add(runner.measure("etcd", "range-linearizable", c, linearizable, PointRunner.Observer.NONE));
      LoadTool serializable = EtcdBenchmarkLoad.range(tool, cluster.endpoints(), "bench-key", "s");
      for (int c : concurrency) points.add(runner.measure("etcd", "range-serializable", c, serializable, PointRunner.Observer.NONE));
    }
    return points;
  }

  /** Reads the leader's metrics around a point: lease outcomes, ReadIndex rounds, fsyncs, entries. */
  static final class StoreMetricsObserver implements PointRunner.Observer {
    private final LeasekvCluster cluster;
    private final int leader;
    private MetricsScrape before;
    private long startNanos;

    StoreMetricsObserver(LeasekvCluster cluster, int leader) {
      this.cluster = cluster;
      this.leader = leader;
    }

    @Override
    public void before() throws Exception {
      before = MetricsScrape.fetch(cluster.metricsUrl(leader));
      startNanos = System.nanoTime();
    }

    @Override
    public Map<String, Double> after() throws Exception {
      MetricsScrape after = MetricsScrape.fetch(cluster.metricsUrl(leader));
      double secs = (System.nanoTime() - startNanos) / 1e9;
      Map<String, Double> notes = new LinkedHashMap<>();
      double hits = after.delta(before, "leasekv_lease_reads_total{outcome=\"hit\"}");
      double misses = after.delta(before, "leasekv_lease_reads_total{outcome=\"miss\"}");
      double fsyncs = after.delta(before, "leasekv_wal_fsyncs_total");
      double entries = after.delta(before, "leasekv_applied_entries_total");
      notes.put("lease_hits", hits);
      notes.put("lease_misses", misses);
      notes.put("read_index_rounds", after.delta(before, "leasekv_read_index_rounds_total"));
      notes.put("leader_fsyncs_per_s", fsyncs / secs);
      notes.put("entries_per_fsync", fsyncs == 0 ? 0 : entries / fsyncs);
      notes.put("dropped_control", after.delta(before, "leasekv_transport_dropped_total{lane=\"control\"}"));
      notes.put("leader_changes", after.delta(before, "leasekv_leader_changes_total"));
      return notes;
    }
  }
}
