package leasekv.raft.sim;

import java.util.List;

/** The outcome of one run: violations (empty if safe) and figures showing the run did real work. */
record SimResult(
    SimParams params,
    List<String> violations,
    List<RegisterChecker.Violation> historyViolations,
    long okWrites,
    long okReads,
    long leaseReads,
    long failedOps,
    long indeterminateOps,
    int leaderTerms,
    int faults,
    long events,
    long messages) {

  boolean passed() {
    return violations.isEmpty() && historyViolations.isEmpty();
  }

  boolean foundStaleRead() {
    return historyViolations.stream().anyMatch(RegisterChecker.Violation::staleRead);
  }

  String summary() {
    return params.describe() + ": " + okWrites + " writes ok, " + okReads + " reads ok (" + leaseReads + " by lease), "
        + failedOps + " failed, " + indeterminateOps + " indeterminate, " + leaderTerms + " leader terms, " + faults
        + " faults, " + events + " events, " + messages + " messages";
  }

  /** The failure report: what broke, then how to replay it. */
  String report() {
    StringBuilder s = new StringBuilder("SIMULATION FAILED ").append(params.describe()).append('\n');
    for (String v : violations) s.append("  ").append(v).append('\n');
    for (RegisterChecker.Violation v : historyViolations) s.append("  ").append(v).append('\n');
    s.append("  ").append(summary()).append('\n');
    s.append("  replay: ").append(params.replayCommand());
    return s.toString();
  }
}
