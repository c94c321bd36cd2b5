package leasekv.bench.peers;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Collects the points of one run and renders the table, the target ratios and the limits (Markdown). */
final class Report {
  private final PrintStream log;
  private final Map<String, Point> points = new LinkedHashMap<>();
  private List<String> machine = List.of();
  private FsyncProbe.Result fsyncBefore;
  private FsyncProbe.Result fsyncAfter;
  private LeaseHealthScenario.Result leaseHealth;
  private String loadAtStart = MachineInfo.loadAverage();

  Report(PrintStream log) {
    this.log = log;
  }

  void machine(List<String> lines) {
    machine = lines;
    loadAtStart = MachineInfo.loadAverage();
  }

  void fsyncBefore(FsyncProbe.Result r) {
    fsyncBefore = r;
  }

  void fsyncAfter(FsyncProbe.Result r) {
    fsyncAfter = r;
  }

  void leaseHealth(LeaseHealthScenario.Result r) {
    leaseHealth = r;
  }

  void addAll(List<Point> ps) {
    for (Point p : ps) points.put(p.key(), p);
  }

  String fsyncLine() {
    return fsyncText(fsyncBefore);
  }

  private static String fsyncText(FsyncProbe.Result r) {
    if (r == null) return "not measured";
    return String.format(Locale.ROOT, "%,.0f fdatasyncs/s overwriting a zero-filled file, %,.0f/s appending (4 KiB, one thread)",
        r.overwriteSyncsPerSecond(), r.appendSyncsPerSecond());
  }

  String render(List<Integer> concurrency) {
    StringBuilder s = new StringBuilder();
    s.append("## Machine\n\n");
    for (String m : machine) s.append("- ").append(m).append('\n');
    s.append("- load average at start / end: ").append(loadAtStart).append(" / ").append(MachineInfo.loadAverage()).append('\n');
    s.append("- disk before: ").append(fsyncText(fsyncBefore)).append('\n');
    s.append("- disk after: ").append(fsyncText(fsyncAfter)).append("\n\n");
    s.append("## Throughput and latency (min / median / max of each point's runs)\n\n");
    s.append("| system | op | c | ops/s | p50 ms | p99 ms | store metrics (leader, over the runs) |\n");
    s.append("|---|---|---:|---|---|---|---|\n");
    for (Point p : points.values()) {
      s.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s |%n", p.system(), p.op(), p.concurrency(),
          spread(p.throughput(), "%,.0f"), spread(p.p50(), "%.2f"), spread(p.p99(), "%.2f"), notes(p)));
    }
    s.append("\n## Targets (ratios of medians; in brackets the worst and best pairing of runs)\n\n");
    s.append("| comparison | target | measured |\n|---|---|---|\n");
    int top = concurrency.get(concurrency.size() - 1);
    ratio(s, "SET leasekv (nosync) vs etcd put, c=" + top, 2, "leasekv-nosync/set/" + top, "etcd/put/" + top);
    ratio(s, "lease GET vs etcd linearizable range, c=" + top, 3, "leasekv-nosync/get-lease/" + top,
        "etcd/range-linearizable/" + top);
    ratio(s, "lease GET vs ReadIndex GET, c=" + top, 3, "leasekv-nosync/get-lease/" + top,
        "leasekv-nosync/get-read-index/" + top);
    for (int c : concurrency) {
      ratio(s, "nosync SET vs sync SET, c=" + c, 2, "leasekv-nosync/set/" + c, "leasekv-sync/set/" + c);
    }
    s.append("\n## How close each path is to its limit\n\n");
    limits(s, top);
    if (leaseHealth != null) s.append("\n").append(leaseHealth.render());
    return s.toString();
  }

  private void limits(StringBuilder s, int top) {
    Point set = points.get("leasekv-nosync/set/" + top);
    if (set != null && fsyncBefore != null) {
      s.append(String.format(Locale.ROOT,
          "- writes: leasekv nosync SET at c=%d: %,.0f ops/s with %,.0f leader fsyncs/s (%.1f entries per fsync); the disk "
              + "gives %,.0f fdatasyncs/s to one thread, so the leader's WAL runs at %.0f%% of the disk's sync rate. "
              + "A write waits for the leader's fsync and a follower's, which overlap (the leader sends its appends before its own fsync).%n",
          top, set.throughput().median(), set.notes().getOrDefault("leader_fsyncs_per_s", 0.0),
          set.notes().getOrDefault("entries_per_fsync", 0.0), fsyncBefore.overwriteSyncsPerSecond(),
          100 * set.notes().getOrDefault("leader_fsyncs_per_s", 0.0) / fsyncBefore.overwriteSyncsPerSecond()));
    }
    limitRatio(s, "writes vs Redis with appendfsync always (SET)", "leasekv-nosync/set/" + top, "redis-aof-always/set/" + top);
    limitRatio(s, "protocol: lease GET vs Redis GET (no persistence)", "leasekv-nosync/get-lease/" + top, "redis/get/" + top);
    limitRatio(s, "protocol: leasekv SET vs Redis SET (no persistence)", "leasekv-nosync/set/" + top, "redis/set/" + top);
  }

  private void limitRatio(StringBuilder s, String what, String ours, String theirs) {
    Point a = points.get(ours);
    Point b = points.get(theirs);
    if (a == null || b == null || a.runs().isEmpty() || b.runs().isEmpty()) return;
    s.append(String.format(Locale.ROOT, "- %s: %,.0f vs %,.0f ops/s = %.0f%%%n", what, a.throughput().median(),
        b.throughput().median(), 100 * a.throughput().median() / b.throughput().median()));
  }

  private void ratio(StringBuilder s, String what, double target, String ours, String theirs) {
    Point a = points.get(ours);
    Point b = points.get(theirs);
    if (a == null || b == null || a.runs().isEmpty() || b.runs().isEmpty()) {
      s.append("| ").append(what).append(" | >= ").append(target).append("x | not measured |\n");
      return;
    }
    double median = a.throughput().median() / b.throughput().median();
    double worst = a.throughput().min() / b.throughput().max();
    double best = a.throughput().max() / b.throughput().min();
    s.append(String.format(Locale.ROOT, "| %s | >= %.0fx | **%.2fx** [%.2f-%.2f] %s |%n", what, target, median, worst, best,
        median >= target ? "met" : "NOT met"));
  }

  private static String spread(Point.Spread sp, String fmt) {
    if (Double.isNaN(sp.median())) return "-";
    return String.format(Locale.ROOT, fmt + " / " + fmt + " / " + fmt, sp.min(), sp.median(), sp.max());
  }

  private static String notes(Point p) {
    List<String> out = new ArrayList<>();
    if (p.failedRuns() > 0) out.add(p.failedRuns() + " failed runs");
    Map<String, Double> n = p.notes();
    if (n.isEmpty()) return String.join("; ", out);
    double hits = n.getOrDefault("lease_hits", 0.0);
    double misses = n.getOrDefault("lease_misses", 0.0);
    if (hits + misses > 0) out.add(String.format(Locale.ROOT, "lease hits %.2f%%", 100 * hits / (hits + misses)));
    if (n.getOrDefault("read_index_rounds", 0.0) > 0 || p.op().startsWith("get")) {
      out.add(String.format(Locale.ROOT, "ReadIndex rounds %,.0f", n.getOrDefault("read_index_rounds", 0.0)));
    }
    if (!p.op().startsWith("get")) {
      out.add(String.format(Locale.ROOT, "%,.0f fsyncs/s, %.1f entries/fsync", n.getOrDefault("leader_fsyncs_per_s", 0.0),
          n.getOrDefault("entries_per_fsync", 0.0)));
    }
    if (n.getOrDefault("dropped_control", 0.0) > 0) out.add("control drops " + n.get("dropped_control").longValue());
    if (n.getOrDefault("leader_changes", 0.0) > 0) out.add("leader changes " + n.get("leader_changes").longValue());
    return String.join("; ", out);
  }

  /** One line per run, tab-separated, for re-analysis. */
  String raw() {
    StringBuilder s = new StringBuilder("system\top\tconcurrency\trun\tops_per_s\tp50_ms\tp99_ms\n");
    for (Point p : points.values()) {
      for (int i = 0; i < p.runs().size(); i++) {
        LoadTool.Run r = p.runs().get(i);
        s.append(String.format(Locale.ROOT, "%s\t%s\t%d\t%d\t%.1f\t%.3f\t%.3f%n", p.system(), p.op(), p.concurrency(), i + 1,
            r.opsPerSecond(), r.p50Millis(), r.p99Millis()));
      }
    }
    return s.toString();
  }
}
