package leasekv.bench.peers;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one point: an unmeasured warm-up run that also sizes the measured runs (so each lasts about
 * {@code secondsPerRun} whatever the system's speed), then {@code runs} measured runs. A failed run
 * (an error reply, a leader change) is retried once per run and counted.
 */
final class PointRunner {
  /** Hooks around the measured runs, e.g. to read the store's metrics before and after. */
  interface Observer {
    void before() throws Exception;

    /** Returns notes for the point (e.g. lease hits), computed over the measured runs. */
    Map<String, Double> after() throws Exception;

    Observer NONE = new Observer() {
      @Override
      public void before() {}

      @Override
      public Map<String, Double> after() {
        return Map.of();
      }
    };
  }

  private final int runs;
  private final double secondsPerRun;
  private final PrintStream log;

  PointRunner(int runs, double secondsPerRun, PrintStream log) {
    this.runs = runs;
    this.secondsPerRun = secondsPerRun;
    this.log = log;
  }

  Point measure(String system, String op, int concurrency, LoadTool tool, Observer observer) throws Exception {
    long warmup = Math.max(200, 50L * concurrency);
    long requests;
    try {
      LoadTool.Run w = tool.run(concurrency, warmup);
      requests = Math.max(Math.max(300, 20L * concurrency), Math.min(2_000_000, (long) (w.opsPerSecond() * secondsPerRun)));
    } catch (Exception e) {
      log.printf(Locale.ROOT, "  %s %s c=%d: warm-up failed: %s%n", system, op, concurrency, e.getMessage());
      requests = Math.max(2000, 50L * concurrency);
    }
    observer.before();
    List<LoadTool.Run> done = new ArrayList<>();
    int failed = 0;
    for (int i = 0; i < runs; i++) {
      for (int attempt = 0; attempt < 2; attempt++) {
        try {
          LoadTool.Run r = tool.run(concurrency, requests);
          done.add(r);
          log.printf(Locale.ROOT, "  %-18s %-16s c=%-3d run %d: %,10.0f ops/s  p50 %7.3f ms  p99 %7.3f ms  (%d requests)%n",
              system, op, concurrency, i + 1, r.opsPerSecond(), r.p50Millis(), r.p99Millis(), requests);
          break;
        } catch (Exception e) {
          failed++;
          log.printf(Locale.ROOT, "  %s %s c=%d run %d failed: %s%n", system, op, concurrency, i + 1, e.getMessage());
        }
      }
    }
    Map<String, Double> notes = new LinkedHashMap<>(observer.after());
    return new Point(system, op, concurrency, done, failed, notes);
  }
}
