package leasekv.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peer benchmark reads other tools' output; these are the shapes it must understand or refuse. */
class PeerBenchParsingTest {
  @Test
  void readsRedisBenchmarkCsv() throws IOException {
    String out = """
        "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        "SET key:__rand_int__ xxxx","30303.03","0.081","0.032","0.079","0.143","0.175","2.015"
        """;
    LoadTool.Run r = RedisBenchmarkLoad.parseCsv(out);
    assertEquals(30303.03, r.opsPerSecond(), 1e-9);
    assertEquals(0.079, r.p50Millis(), 1e-9);
    assertEquals(0.175, r.p99Millis(), 1e-9);
  }

  @Test
  void aRedisBenchmarkRunThatStoppedOnAnErrorReplyFails() {
    String out = """
        Error from server: NOTLEADER n2 10.83.0.12:6379
        "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
        """;
    IOException e = assertThrows(IOException.class, () -> RedisBenchmarkLoad.parseCsv(out));
    assertTrue(e.getMessage().contains("NOTLEADER"), e.getMessage());
  }

  @Test
  void readsEtcdBenchmarkSummaryInMilliseconds() throws IOException {
    String out = """
        Summary:
          Total:\t2.0000 secs.
          Slowest:\t0.0500 secs.
          Requests/sec:\t3108.5000

        Latency distribution:
          10% in 0.0010 secs.
          50% in 0.0200 secs.
          99% in 0.0450 secs.
          99.9% in 0.0490 secs.
        """;
    LoadTool.Run r = EtcdBenchmarkLoad.parse(out, 0);
    assertEquals(3108.5, r.opsPerSecond(), 1e-9);
    assertEquals(20.0, r.p50Millis(), 1e-9);
    assertEquals(45.0, r.p99Millis(), 1e-9);
  }

  @Test
  void anEtcdRunWithErrorsFails() {
    String out = "Summary:\n  Requests/sec:\t10.0\n  50% in 0.1 secs.\n  99% in 0.2 secs.\nError distribution:\n  [3]\tcontext deadline exceeded\n";
    assertThrows(IOException.class, () -> EtcdBenchmarkLoad.parse(out, 0));
    assertThrows(IOException.class, () -> EtcdBenchmarkLoad.parse("Summary:\n", 1));
  }

  @Test
  void readsPrometheusSeriesWithLabels() {
    MetricsScrape before = MetricsScrape.parse("""
        # HELP leasekv_lease_reads_total Reads that tried the lease, by outcome
        # TYPE leasekv_lease_reads_total counter
        leasekv_lease_reads_total{outcome="hit"} 10
        leasekv_lease_reads_total{outcome="miss"} 2
        leasekv_wal_fsync_seconds{quantile="0.5"} NaN
        """);
    MetricsScrape after = MetricsScrape.parse("leasekv_lease_reads_total{outcome=\"hit\"} 110\n");
    assertEquals(100, after.delta(before, "leasekv_lease_reads_total{outcome=\"hit\"}"));
    assertEquals(2, before.get("leasekv_lease_reads_total{outcome=\"miss\"}"));
    assertEquals(0, before.get("leasekv_transport_dropped_total{lane=\"control\"}"));
    assertTrue(Double.isNaN(before.get("leasekv_wal_fsync_seconds{quantile=\"0.5\"}")));
  }

  @Test
  void spreadIsMinMedianMax() {
    Point.Spread odd = Point.Spread.of(List.of(3.0, 1.0, 2.0));
    assertEquals(1.0, odd.min());
    assertEquals(2.0, odd.median());
    assertEquals(3.0, odd.max());
    assertEquals(2.5, Point.Spread.of(List.of(4.0, 1.0, 2.0, 3.0)).median());
    assertTrue(Double.isNaN(Point.Spread.of(List.of()).median()));
  }
}
