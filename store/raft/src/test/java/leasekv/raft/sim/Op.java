package leasekv.raft.sim;

/** One client operation in a simulation history: a write of a unique value, or a read of a key. */
final class Op {
  enum Kind { WRITE, READ }

  /** OK: it happened (read: returned {@link #readValue}); FAIL: it definitely did not; INFO: unknown. */
  enum Outcome { OK, FAIL, INFO }

  final int id;
  final int client;
  final Kind kind;
  final String key;
  /** For a write: the (unique) value written. */
  final String writeValue;
  final long invokeNanos;
  long completeNanos = -1;
  Outcome outcome;
  /** For an OK read: the value returned, or null for "no value". */
  String readValue;
  String servedBy;
  /** How a read was served: "lease" or "read-index". */
  String readMode;
  long servedInTerm;

  Op(int id, int client, Kind kind, String key, String writeValue, long invokeNanos) {
    this.id = id;
    this.client = client;
    this.kind = kind;
    this.key = key;
    this.writeValue = writeValue;
    this.invokeNanos = invokeNanos;
  }

  boolean isComplete() {
    return outcome != null;
  }

  @Override
  public String toString() {
    String what = kind == Kind.WRITE ? "write " + key + "=" + writeValue : "read " + key + (outcome == Outcome.OK ? " -> " + readValue : "");
    String how = servedBy == null ? "" : " by " + servedBy + (readMode == null ? "" : " (" + readMode + ", term " + servedInTerm + ")");
    return "op" + id + "[c" + client + " " + what + " " + outcome + " " + fmt(invokeNanos) + ".." + fmt(completeNanos) + how + "]";
  }

  static String fmt(long nanos) {
    return nanos < 0 ? "?" : String.format("%.3fms", nanos / 1e6);
  }
}
