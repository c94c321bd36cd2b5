package leasekv.raft.sim;

import java.util.ArrayList;
import java.util.List;

/** The client operations of one simulation run, in invocation order. */
final class History {
  private final List<Op> ops = new ArrayList<>();

  Op invoke(int client, Op.Kind kind, String key, String writeValue, long nowNanos) {
    Op op = new Op(ops.size() + 1, client, kind, key, writeValue, nowNanos);
    ops.add(op);
    return op;
  }

  List<Op> ops() {
    return ops;
  }

  long count(Op.Kind kind, Op.Outcome outcome) {
    return ops.stream().filter(o -> o.kind == kind && o.outcome == outcome).count();
  }

  long leaseReads() {
    return ops.stream().filter(o -> o.outcome == Op.Outcome.OK && "lease".equals(o.readMode)).count();
  }
}
