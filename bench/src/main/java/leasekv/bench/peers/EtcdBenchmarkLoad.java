package leasekv.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives etcd with etcd's own benchmark tool ({@code tools/benchmark} of etcd 3.4.23, built from
 * Debian's source package): one gRPC connection per client, all clients on the leader
 * ({@code --target-leader}), as the leasekv and Redis points put every client on the one node that
 * serves. Throughput and quantiles are the tool's own.
 */
final class EtcdBenchmarkLoad implements LoadTool {
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern P50 = Pattern.compile("\\s50% in ([0-9.]+) secs");
  private static final Pattern P99 = Pattern.compile("\\s99% in ([0-9.]+) secs");
  private static final Pattern ERRORS = Pattern.compile("Error distribution:");

  private final String tool;
  private final List<String> endpoints;
  private final List<String> command;

  private EtcdBenchmarkLoad(String tool, List<String> endpoints, List<String> command) {
    this.tool = tool;
    this.endpoints = endpoints;
    this.command = command;
  }

  static EtcdBenchmarkLoad put(String tool, List<String> endpoints, int keySpace, int valueBytes) {
    return new EtcdBenchmarkLoad(tool, endpoints, List.of("put", "--key-size", "8", "--key-space-size",
        String.valueOf(keySpace), "--val-size", String.valueOf(valueBytes)));
  }

  /** A range of one key; {@code consistency} "l" (linearizable) or "s" (serializable). */
  static EtcdBenchmarkLoad range(String tool, List<String> endpoints, String key, String consistency) {
    return new EtcdBenchmarkLoad(tool, endpoints, List.of("range", key, "--consistency", consistency));
  }

  @Override
  public Run run(int concurrency, long requests) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(tool, "--endpoints", String.join(",", endpoints), "--target-leader",
        "--conns", String.valueOf(concurrency), "--clients", String.valueOf(concurrency), "--precise"));
    argv.addAll(command);
    argv.addAll(List.of("--total", String.valueOf(requests)));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("etcd benchmark did not finish in 10 minutes");
    }
    return parse(out, p.exitValue());
  }

  static Run parse(String out, int exit) throws IOException {
    Matcher rps = RPS.matcher(out);
    Matcher p50 = P50.matcher(out);
    Matcher p99 = P99.matcher(out);
    if (exit != 0 || ERRORS.matcher(out).find() || !rps.find() || !p50.find() || !p99.find()) {
      throw new IOException("etcd benchmark failed (exit " + exit + "): "
          + out.strip().lines().filter(l -> !l.contains("%")).limit(8).toList());
    }
    return new Run(Double.parseDouble(rps.group(1)), Double.parseDouble(p50.group(1)) * 1000,
        Double.parseDouble(p99.group(1)) * 1000);
  }
}
