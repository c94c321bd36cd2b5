package leasekv.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import leasekv.client.LeaseKvClient;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bin/bench}: starts a cluster of real nodes on loopback and prints throughput and latency
 * for SET, GET served from the lease, and GET served by ReadIndex, at several client concurrencies.
 * Figures, not a pass/fail test: see README for the recorded ones and the machine that gave them.
 * The nodes run from the store jar ({@code --store-jar}, which bin/bench fills in).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Benchmarks a leasekv cluster of real node processes on loopback.")
public final class Bench implements Callable<Integer> {
  private static final List<String> OPS = List.of("set", "cas", "get-lease", "get-read-index");

  @Spec
  CommandSpec spec;

  @Option(names = "--store-jar", defaultValue = "${env:LEASEKV_STORE_JAR}",
      description = "The store jar the nodes run from (default: $LEASEKV_STORE_JAR; bin/bench sets it to store/node/target/leasekv-store.jar).")
  Path storeJar;

  @Option(names = "--nodes", defaultValue = "3", description = "Cluster size (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--concurrency", defaultValue = "1,16,64", split = ",", description = "Client threads per point (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency;

  @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per point (default: ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--warmup-seconds", defaultValue = "3", description = "Unmeasured seconds before each point (default: ${DEFAULT-VALUE}).")
  int warmupSeconds;

  @Option(names = "--value-bytes", defaultValue = "256", description = "SET value size (default: ${DEFAULT-VALUE}).")
  int valueBytes;

  @Option(names = "--keys", defaultValue = "10000", description = "Distinct keys (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--fsm-sync-mode", defaultValue = "nosync", description = "sync or nosync (default: ${DEFAULT-VALUE}).")
  String fsmSyncMode;

  @Option(names = "--ops", defaultValue = "set,get-lease,get-read-index", split = ",",
      description = "Points to run: set, cas, get-lease, get-read-index (default: ${DEFAULT-VALUE}).")
  List<String> ops;

  public static void main(String[] args) {
    System.exit(BenchCommandLine.execute(new Bench(), args));
  }

  /** Every option, checked before a node starts. */
  void validate() {
    BenchCommandLine.requireStoreJar(spec, storeJar);
    BenchCommandLine.requireAtLeast(spec, "--nodes", List.of(nodes), 1);
    BenchCommandLine.requireAtLeast(spec, "--concurrency", concurrency, 1);
    BenchCommandLine.requireAtLeast(spec, "--seconds", List.of(seconds), 1);
    BenchCommandLine.requireAtLeast(spec, "--warmup-seconds", List.of(warmupSeconds), 0);
    BenchCommandLine.requireAtLeast(spec, "--value-bytes", List.of(valueBytes), 0);
    BenchCommandLine.requireAtLeast(spec, "--keys", List.of(keys), 1);
    BenchCommandLine.requireKnown(spec, "--fsm-sync-mode", List.of(fsmSyncMode), List.of("sync", "nosync"));
    BenchCommandLine.requireKnown(spec, "--ops", ops, OPS);
  }

  private record Point(String op, int concurrency, double opsPerSecond, double p50Millis, double p99Millis, long errors) {}

  @Override
  public Integer call() throws Exception {
    validate();
    List<Point> points = new ArrayList<>();
    List<String> writeOps = ops.stream().filter(o -> !o.startsWith("get")).toList();
    if (!writeOps.isEmpty() || ops.contains("get-lease")) points.addAll(runCluster("lease", withLeaseOps(writeOps)));
    if (ops.contains("get-read-index")) points.addAll(runCluster("read-index", List.of("get-read-index")));
    System.out.printf(Locale.ROOT, "%n%-16s %5s %12s %9s %9s %7s%n", "op", "c", "ops/s", "p50 ms", "p99 ms", "errors");
    for (Point p : points) {
      System.out.printf(Locale.ROOT, "%-16s %5d %12.0f %9.3f %9.3f %7d%n", p.op(), p.concurrency(), p.opsPerSecond(),
          p.p50Millis(), p.p99Millis(), p.errors());
    }
    return 0;
  }

  private List<String> withLeaseOps(List<String> writeOps) {
    List<String> out = new ArrayList<>(writeOps);
    if (ops.contains("get-lease")) out.add("get-lease");
    return out;
  }

  private List<Point> runCluster(String readMode, List<String> clusterOps) throws Exception {
    List<Point> points = new ArrayList<>();
    try (BenchCluster cluster = new BenchCluster(storeJar, nodes, List.of("--read-mode", readMode, "--fsm-sync-mode", fsmSyncMode))) {
      String leader = cluster.awaitLeader(60_000);
      System.err.println("cluster up (" + readMode + ", fsm " + fsmSyncMode + "), leader at " + leader);
      preload(leader);
      for (String op : clusterOps) {
        for (int c : concurrency) points.add(measure(op, c, leader));
      }
    }
    return points;
  }

  private void preload(String leader) throws InterruptedException {
    runLoad("set", 16, leader, Math.max(1, keys / 16), null, new AtomicLong());
  }

  private Point measure(String op, int c, String leader) throws InterruptedException {
    AtomicLong errors = new AtomicLong();
    runLoad(op, c, leader, 0, TimeUnit.SECONDS.toNanos(warmupSeconds), errors);
    Recorder recorder = new Recorder(3);
    long start = System.nanoTime();
    long done = runLoad(op, c, leader, 0, TimeUnit.SECONDS.toNanos(seconds), errors, recorder);
    double elapsed = (System.nanoTime() - start) / 1e9;
    var h = recorder.getIntervalHistogram();
    Point p = new Point(op, c, done / elapsed, h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, errors.get());
    System.err.printf(Locale.ROOT, "%s c=%d: %.0f ops/s p50 %.3f ms p99 %.3f ms%n", op, c, p.opsPerSecond(), p.p50Millis(), p.p99Millis());
    return p;
  }

  private long runLoad(String op, int c, String leader, int opsPerThread, Long nanos, AtomicLong errors)
      throws InterruptedException {
    return runLoad(op, c, leader, opsPerThread, nanos, errors, null);
  }

  /** Runs {@code c} threads, each with its own connection, for a time or a number of ops; returns ops done. */
  private long runLoad(String op, int c, String leader, int opsPerThread, Long nanos, AtomicLong errors, Recorder recorder)
      throws InterruptedException {
    AtomicLong done = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(c);
    long deadline = nanos == null ? Long.MAX_VALUE : System.nanoTime() + nanos;
    String value = "v".repeat(valueBytes);
    for (int t = 0; t < c; t++) {
      int thread = t;
      Thread worker = new Thread(() -> {
        try (LeaseKvClient client = LeaseKvClient.builder().nodes(List.of(leader)).requestTimeoutMillis(5_000).build()) {
          for (int i = 0; nanos == null ? i < opsPerThread : System.nanoTime() < deadline; i++) {
            String key = "key-" + (nanos == null ? (thread * opsPerThread + i) % keys : ThreadLocalRandom.current().nextInt(keys));
            long t0 = System.nanoTime();
            try {
              switch (op) {
                case "set" -> client.set(key, value);
                case "cas" -> client.cas(key, value, value);
                default -> client.get(key);
              }
              if (recorder != null) recorder.recordValue(System.nanoTime() - t0);
              done.incrementAndGet();
            } catch (RuntimeException e) {
              errors.incrementAndGet();
            }
          }
        } finally {
          finished.countDown();
        }
      }, "bench-" + t);
      worker.setDaemon(true);
      worker.start();
    }
    finished.await();
    return done.get();
  }
}
