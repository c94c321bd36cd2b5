package leasekv.replica.sim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import leasekv.checker.Op;
import leasekv.checker.edn.EdnWriter;

/**
 * The outcome of one run: every violation found (Raft safety, linearizability, lists, convergence,
 * replica failures), the figures that show the run did something, and the history's fingerprint
 * (the same seed must give the same history, byte for byte).
 */
record SimResult(SimParams params, List<String> violations, long okWrites, long okReads, long leaseReads,
    long infoOps, long retries, int leaderTerms, int faults, long events, long messages, List<Op> history,
    long simulatedNanos, List<String> eventLog) {

  /** SHA-256 of the history as EDN, one op after another: the same seed must give the same bytes. */
  String historySha256() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Op op : history) sha.update(EdnWriter.write(op.toEdnData()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  boolean passed() {
    return violations.isEmpty();
  }

  /** Whether a violation shows a stale read or a lost, duplicated or phantom write (what the clients saw). */
  boolean clientsSawAnomaly() {
    return violations.stream().anyMatch(v -> v.startsWith("history") || v.startsWith("list"));
  }

  String summary() {
    return params.describe() + ": " + okWrites + " ok writes, " + okReads + " ok reads (" + leaseReads + " lease), "
        + infoOps + " info, " + retries + " retries, " + leaderTerms + " leader terms, " + faults + " faults, " + events
        + " events, " + messages + " messages";
  }

  String report() {
    StringBuilder s = new StringBuilder();
    s.append(passed() ? "PASSED " : "FAILED ").append(summary()).append('\n');
    for (String v : violations) s.append("  violation: ").append(v).append('\n');
    if (!passed()) s.append("  replay: ").append(params.replayCommand()).append('\n');
    return s.toString();
  }
}
