package leasekv.bench.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One measured point of the table: a system, an operation and a client concurrency, with every run
 * that completed and the metrics the store reported over them (empty for the peers).
 */
record Point(String system, String op, int concurrency, List<LoadTool.Run> runs, int failedRuns, Map<String, Double> notes) {

  /** min, median, max of a figure over the runs. */
  record Spread(double min, double median, double max) {
    static Spread of(List<Double> values) {
      if (values.isEmpty()) return new Spread(Double.NaN, Double.NaN, Double.NaN);
      List<Double> sorted = new ArrayList<>(values);
      sorted.sort(Double::compare);
      int n = sorted.size();
      double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      return new Spread(sorted.get(0), median, sorted.get(n - 1));
    }
  }

  Spread throughput() {
    return Spread.of(runs.stream().map(LoadTool.Run::opsPerSecond).toList());
  }

  Spread p50() {
    return Spread.of(runs.stream().map(LoadTool.Run::p50Millis).toList());
  }

  Spread p99() {
    return Spread.of(runs.stream().map(LoadTool.Run::p99Millis).toList());
  }

  String key() {
    return system + "/" + op + "/" + concurrency;
  }
}
