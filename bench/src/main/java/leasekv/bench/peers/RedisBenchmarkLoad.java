package leasekv.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives a RESP server (Redis or leasekv) with {@code redis-benchmark}: one connection per client,
 * no pipelining, random keys over a key space. Throughput and quantiles are redis-benchmark's own
 * ({@code --csv}). An error reply makes redis-benchmark stop without a result row: that run fails.
 */
final class RedisBenchmarkLoad implements LoadTool {
  private final String host;
  private final int port;
  private final int keySpace;
  private final List<String> workload;

  /** {@code workload}: e.g. {@code -t set -d 256}, or a command such as {@code CAS key:__rand_int__ a b}. */
  RedisBenchmarkLoad(String host, int port, int keySpace, List<String> workload) {
    this.host = host;
    this.port = port;
    this.keySpace = keySpace;
    this.workload = workload;
  }

  /**
   * SET of a fixed value of {@code valueBytes} 'x's. (redis-benchmark's own {@code -t set -d N}
   * sends random bytes, which {@link #casSameValue} could not compare against.)
   */
  static RedisBenchmarkLoad set(String host, int port, int keySpace, int valueBytes) {
    return new RedisBenchmarkLoad(host, port, keySpace, List.of("SET", "key:__rand_int__", "x".repeat(valueBytes)));
  }

  /** SET with redis-benchmark's random (incompressible) value, for state that must take disk space. */
  static RedisBenchmarkLoad setRandomValue(String host, int port, int keySpace, int valueBytes) {
    return new RedisBenchmarkLoad(host, port, keySpace, List.of("-t", "set", "-d", String.valueOf(valueBytes)));
  }

  static RedisBenchmarkLoad get(String host, int port, int keySpace) {
    return new RedisBenchmarkLoad(host, port, keySpace, List.of("GET", "key:__rand_int__"));
  }

  /** CAS of a value onto itself: the compare succeeds on keys written by {@link #set}, and it still writes. */
  static RedisBenchmarkLoad casSameValue(String host, int port, int keySpace, int valueBytes) {
    String v = "x".repeat(valueBytes);
    return new RedisBenchmarkLoad(host, port, keySpace, List.of("CAS", "key:__rand_int__", v, v));
  }

  @Override
  public Run run(int concurrency, long requests) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("redis-benchmark", "-h", host, "-p", String.valueOf(port),
        "-c", String.valueOf(concurrency), "-n", String.valueOf(requests), "-r", String.valueOf(keySpace), "--csv"));
    argv.addAll(workload);
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException("redis-benchmark did not finish in 10 minutes");
    }
    return parseCsv(out);
  }

  /** Parses redis-benchmark's --csv output: a header, then "test","rps","avg",..,"p50",..,"p99",.. */
  static Run parseCsv(String out) throws IOException {
    for (String line : out.split("\n")) {
      String[] f = line.strip().split("\",\"");
      if (f.length < 8 || line.startsWith("\"test\"")) continue;
      try {
        return new Run(Double.parseDouble(f[1]), Double.parseDouble(f[4]), Double.parseDouble(f[6]));
      } catch (NumberFormatException e) {
        throw new IOException("unexpected redis-benchmark row: " + line);
      }
    }
    throw new IOException("redis-benchmark gave no result: " + out.strip().lines().limit(5).toList());
  }
}
