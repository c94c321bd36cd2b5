package leasekv.raft.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A linearizability check for a set of single-key registers whose writes have unique values, given
 * the order in which the writes took effect (their order in the committed Raft log).
 *
 * <p>Why a known write order: the state machine applies writes in log order, and the simulator knows
 * the committed log (it checks separately that every node applied the same entry at every index). A
 * history is then linearizable per key iff we can pick instants T1 < T2 < ... < Tm for the committed
 * writes w1..wm of the key (in log order), each Tj within [invoke, complete] of wj (complete = +inf if
 * the client never learned the outcome), such that every successful read r that returned the value of
 * wj (j = 0 for "absent") has a point strictly between Tj and Tj+1 inside its own interval, i.e.
 * {@code Tj < complete(r)} and {@code invoke(r) < Tj+1}. Choosing each Tj as early as its lower bounds
 * allow is optimal (it only loosens later constraints), so one greedy pass decides it exactly.
 *
 * <p>A read returning an older value after a newer one was acknowledged (or observed) before the read
 * began shows up as the lower bound of some Tj (that read began late) exceeding its upper bound (the
 * newer write or read had completed earlier): a stale read. Besides that the checker reports
 * acknowledged writes missing from the committed log (lost writes), writes reported as failed that
 * took effect, and reads of values that never committed.
 */
final class RegisterChecker {
  /** One violation; {@code staleRead} marks the class the lease rules are about. */
  record Violation(String description, boolean staleRead) {
    @Override
    public String toString() {
      return (staleRead ? "STALE READ: " : "") + description;
    }
  }

  private static final double EPS = 1e-3;

  private RegisterChecker() {}

  /**
   * @param ops the whole history
   * @param committedWrites for each key, the values written in committed-log order
   */
  static List<Violation> check(List<Op> ops, Map<String, List<String>> committedWrites) {
    List<Violation> out = new ArrayList<>();
    Map<String, Op> writeByValue = new HashMap<>();
    for (Op op : ops) {
      if (op.kind == Op.Kind.WRITE) writeByValue.put(op.writeValue, op);
    }
    Map<String, Integer> positionOfValue = new HashMap<>();
    committedWrites.forEach((key, values) -> {
      for (int j = 0; j < values.size(); j++) positionOfValue.put(values.get(j), j + 1);
    });
    for (Op op : ops) {
      if (op.kind == Op.Kind.WRITE && op.outcome == Op.Outcome.OK && !positionOfValue.containsKey(op.writeValue)) {
        out.add(new Violation("lost acknowledged write: " + op + " is not in the committed log", false));
      }
      if (op.kind == Op.Kind.WRITE && op.outcome == Op.Outcome.FAIL && positionOfValue.containsKey(op.writeValue)) {
        out.add(new Violation("a write reported as failed took effect: " + op, false));
      }
      if (op.kind == Op.Kind.READ && op.outcome == Op.Outcome.OK && op.readValue != null
          && !positionOfValue.containsKey(op.readValue)) {
        out.add(new Violation("read of a value that never committed: " + op, false));
      }
    }
    Map<String, List<Op>> readsByKey = new TreeMap<>();
    for (Op op : ops) {
      if (op.kind == Op.Kind.READ && op.outcome == Op.Outcome.OK) readsByKey.computeIfAbsent(op.key, k -> new ArrayList<>()).add(op);
    }
    for (String key : readsByKey.keySet()) {
      Violation v = checkKey(key, committedWrites.getOrDefault(key, List.of()), readsByKey.get(key), writeByValue, positionOfValue);
      if (v != null) out.add(v);
    }
    return out;
  }

  private static Violation checkKey(String key, List<String> order, List<Op> reads, Map<String, Op> writeByValue,
      Map<String, Integer> positionOfValue) {
    int m = order.size();
    // reads grouped by the position of the write they observed (0 = absent)
    List<List<Op>> cluster = new ArrayList<>();
    for (int j = 0; j <= m; j++) cluster.add(new ArrayList<>());
    for (Op r : reads) {
      Integer j = r.readValue == null ? Integer.valueOf(0) : positionOfValue.get(r.readValue);
      if (j != null) cluster.get(j).add(r);
    }
    Bound previous = new Bound(Double.NEGATIVE_INFINITY, "");
    for (int j = 1; j <= m; j++) {
      Op w = writeByValue.get(order.get(j - 1));
      Bound lower = new Bound(w.invokeNanos, "write " + order.get(j - 1) + " was invoked (" + w + ")");
      lower = lower.max(previous.at + EPS, previous.why); // keeps the root cause: writes take effect in log order
      for (Op r : cluster.get(j - 1)) {
        lower = lower.max(r.invokeNanos + EPS, "read " + r + " still saw the previous value" + (j - 1 == 0 ? " (absent)" : ""));
      }
      double writeEnd = w.outcome == Op.Outcome.OK ? w.completeNanos : Double.POSITIVE_INFINITY;
      Bound upper = new Bound(writeEnd, "write " + w + " completed");
      for (Op r : cluster.get(j)) {
        upper = upper.min(r.completeNanos - EPS, "read " + r + " had already returned its value");
      }
      if (lower.at > upper.at) {
        boolean stale = lower.why.startsWith("read ");
        return new Violation("key " + key + ": not linearizable: " + lower.why + ", but " + upper.why
            + " before that (" + Op.fmt((long) upper.at) + " < " + Op.fmt((long) lower.at) + ")", stale);
      }
      previous = lower;
    }
    return null;
  }

  /** A time bound and the operation that imposes it. */
  private record Bound(double at, String why) {
    Bound max(double other, String otherWhy) {
      return other > at ? new Bound(other, otherWhy) : this;
    }

    Bound min(double other, String otherWhy) {
      return other < at ? new Bound(other, otherWhy) : this;
    }
  }
}
