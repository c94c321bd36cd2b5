package leasekv.bench.peers;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * elastickv's incident (its PRs #575 and #577): heartbeats dropped while a snapshot streamed during a
 * write burst, so followers timed out and the lease was lost. Here: a follower is killed, the
 * others write until the log is compacted past it (low --snapshot-interval-entries), then it comes
 * back and must be caught up by a snapshot, while a write burst and lease reads go on. The leader's
 * metrics over that window must show no dropped control frame, no leader change, and lease reads.
 */
final class LeaseHealthScenario {
  private static final Pattern SENT = Pattern.compile("^(\\S+) .*sent snapshot (\\d+) to (\\S+): (\\d+) bytes");
  private static final Pattern SENDING = Pattern.compile("^(\\S+) .*sending snapshot (\\d+)@");
  private static final int VALUE_BYTES = 4096;
  private static final int STATE_KEYS = 20_000;

  record Result(String leader, String follower, long stateBytes, long snapshotBytes, Duration transfer,
      double droppedControl, double droppedReplication, double droppedSnapshot, double droppedControlAllNodes,
      double leaderChanges, double leaseHits, double leaseMisses, double readIndexRounds, String writeBurst,
      String reads, boolean installed) {

    String render() {
      return String.format(Locale.ROOT, """
          ## Lease health under a write burst with a concurrent snapshot transfer

          Leader %s, lagging follower %s (killed, log compacted past it, restarted). State %,d bytes on the
          leader's disk; snapshot streamed: %s bytes in %s; follower installed it: %s.
          Over the window from the follower's restart until the burst ended (leader's metrics):

          | metric | value |
          |---|---|
          | leasekv_transport_dropped_total{lane="control"} on the leader | %.0f |
          | the same, summed over all three nodes | %.0f |
          | dropped on the replication / snapshot lanes (leader) | %.0f / %.0f |
          | leader changes (sum over the nodes) | %.0f |
          | lease reads: hits / misses | %,.0f / %,.0f (%.2f%% from the lease) |
          | ReadIndex rounds | %,.0f |
          | write burst (redis-benchmark SET, 64 clients) | %s |
          | reads during the burst (redis-benchmark GET, 16 clients) | %s |
          """, leader, follower, stateBytes, snapshotBytes < 0 ? "no" : String.format(Locale.ROOT, "%,d", snapshotBytes),
          transfer == null ? "-" : transfer.toMillis() + " ms", installed ? "yes" : "NO", droppedControl,
          droppedControlAllNodes, droppedReplication, droppedSnapshot, leaderChanges, leaseHits, leaseMisses,
          leaseHits + leaseMisses == 0 ? 0 : 100 * leaseHits / (leaseHits + leaseMisses), readIndexRounds, writeBurst, reads);
    }
  }

  private final NetnsCluster net;
  private final Path jar;
  private final Path dataRoot;
  private final List<String> jvmOptions;
  private final List<String> storeArgs;
  private final PrintStream log;

  LeaseHealthScenario(NetnsCluster net, Path jar, Path dataRoot, List<String> jvmOptions, List<String> storeArgs,
      PrintStream log) {
    this.net = net;
    this.jar = jar;
    this.dataRoot = dataRoot;
    this.jvmOptions = jvmOptions;
    this.storeArgs = storeArgs;
    this.log = log;
  }

  Result run() throws Exception {
    List<String> options = new ArrayList<>(List.of("--snapshot-interval-entries", "5000", "--log-retain-entries", "1000"));
    options.addAll(storeArgs);
    try (LeasekvCluster cluster = new LeasekvCluster(net, jar, dataRoot, jvmOptions, options)) {
      String leaderHost = cluster.start();
      int leader = cluster.nodeOf(leaderHost);
      int follower = leader == 3 ? 2 : 3;
      int port = LeasekvCluster.CLIENT_PORT;
      log.println("lease health: leader n" + leader + ", preloading " + STATE_KEYS + " keys of " + VALUE_BYTES + " bytes");
      RedisBenchmarkLoad.setRandomValue(leaderHost, port, STATE_KEYS, VALUE_BYTES).run(32, STATE_KEYS * 2L);
      cluster.killNode(follower);
      log.println("lease health: killed n" + follower + "; writing past the compaction interval");
      RedisBenchmarkLoad.setRandomValue(leaderHost, port, STATE_KEYS, VALUE_BYTES).run(32, 15_000);
      long stateBytes = DataDirs.sizeBytes(dataRoot.resolve("n" + leader).resolve("fsm"));
      List<MetricsScrape> before = scrapeAll(cluster, follower);
      long logStart = lines(cluster.log(leader)).size();
      cluster.startNode(follower);
      log.println("lease health: restarted n" + follower + "; write burst and lease reads while it catches up");
      CompletableFuture<String> burst = background(RedisBenchmarkLoad.set(leaderHost, port, 10_000, 256), 64, 60_000);
      CompletableFuture<String> reads = background(RedisBenchmarkLoad.get(leaderHost, port, STATE_KEYS), 16, 200_000);
      String burstResult = burst.get();
      String readResult = reads.get();
      boolean installed = awaitInstalled(cluster.log(follower), 30_000);
      List<MetricsScrape> after = scrapeAll(cluster, follower);
      return result(cluster, leader, follower, stateBytes, logStart, before, after, burstResult, readResult, installed);
    }
  }

  private Result result(LeasekvCluster cluster, int leader, int follower, long stateBytes, long logStart,
      List<MetricsScrape> before, List<MetricsScrape> after, String burst, String reads, boolean installed)
      throws IOException {
    MetricsScrape b = before.get(leader - 1);
    MetricsScrape a = after.get(leader - 1);
    double controlAll = 0;
    double leaderChanges = 0;
    for (int i = 0; i < after.size(); i++) {
      if (i + 1 == follower) { // restarted: its counters began at zero
        controlAll += after.get(i).get("leasekv_transport_dropped_total{lane=\"control\"}");
        continue;
      }
      controlAll += after.get(i).delta(before.get(i), "leasekv_transport_dropped_total{lane=\"control\"}");
      leaderChanges += after.get(i).delta(before.get(i), "leasekv_leader_changes_total");
    }
    long snapshotBytes = -1;
    Instant sending = null;
    Duration transfer = null;
    List<String> leaderLog = lines(cluster.log(leader));
    for (String line : leaderLog.subList((int) Math.min(logStart, leaderLog.size()), leaderLog.size())) {
      Matcher m = SENDING.matcher(line);
      if (m.find() && sending == null) sending = Instant.parse(m.group(1));
      Matcher s = SENT.matcher(line);
      if (s.find()) {
        snapshotBytes = Long.parseLong(s.group(4));
        if (sending != null) transfer = Duration.between(sending, Instant.parse(s.group(1)));
      }
    }
    return new Result("n" + leader, "n" + follower, stateBytes, snapshotBytes, transfer,
        a.delta(b, "leasekv_transport_dropped_total{lane=\"control\"}"),
        a.delta(b, "leasekv_transport_dropped_total{lane=\"replication\"}"),
        a.delta(b, "leasekv_transport_dropped_total{lane=\"snapshot\"}"), controlAll, leaderChanges,
        a.delta(b, "leasekv_lease_reads_total{outcome=\"hit\"}"), a.delta(b, "leasekv_lease_reads_total{outcome=\"miss\"}"),
        a.delta(b, "leasekv_read_index_rounds_total"), burst, reads, installed);
  }

  /** Runs a load in the background; completes with a one-line summary or the error. */
  private CompletableFuture<String> background(LoadTool tool, int clients, long requests) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        LoadTool.Run r = tool.run(clients, requests);
        return String.format(Locale.ROOT, "%,d requests, %,.0f ops/s, p50 %.2f ms, p99 %.2f ms", requests, r.opsPerSecond(),
            r.p50Millis(), r.p99Millis());
      } catch (Exception e) {
        return "failed: " + e.getMessage();
      }
    });
  }

  private static List<MetricsScrape> scrapeAll(LeasekvCluster cluster, int skipIfDown) throws Exception {
    List<MetricsScrape> out = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      try {
        out.add(MetricsScrape.fetch(cluster.metricsUrl(i)));
      } catch (IOException e) {
        if (i != skipIfDown) throw e;
        out.add(MetricsScrape.parse(""));
      }
    }
    return out;
  }

  private static boolean awaitInstalled(Path followerLog, long timeoutMillis) throws Exception {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      if (lines(followerLog).stream().anyMatch(l -> l.contains("installed snapshot"))) return true;
      Thread.sleep(200);
    }
    return false;
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }
}
