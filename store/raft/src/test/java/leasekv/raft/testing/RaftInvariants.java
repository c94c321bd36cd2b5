package leasekv.raft.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import leasekv.raft.Entry;
import leasekv.raft.LogStorage;

/**
 * Raft's safety properties (Raft paper, Figure 3), checked against what the cores do:
 *
 * <ul>
 *   <li>Election safety: at most one leader per term.
 *   <li>Log matching: if two logs hold an entry with the same index and term, they are identical up
 *       to that index.
 *   <li>Leader completeness: a newly elected leader's log holds every entry committed before.
 *   <li>State machine safety: no two nodes apply different entries at the same index.
 * </ul>
 *
 * Violations are collected (not thrown) so that a simulation can print its seed with the first one.
 */
public final class RaftInvariants {
  private final Map<Long, String> leaderOfTerm = new HashMap<>();
  private final TreeMap<Long, Entry> appliedByIndex = new TreeMap<>();
  private final List<String> violations = new ArrayList<>();

  /** {@code id} is leader of {@code term} with this (persisted) log; call once per term per leader. */
  public void observeLeader(String id, long term, LogStorage log) {
    String previous = leaderOfTerm.putIfAbsent(term, id);
    if (previous == null) {
      checkLeaderCompleteness(id, term, log);
    } else if (!previous.equals(id)) {
      violations.add("election safety: both " + previous + " and " + id + " are leaders of term " + term);
    }
  }

  private void checkLeaderCompleteness(String id, long term, LogStorage log) {
    for (Entry committed : appliedByIndex.values()) {
      if (committed.index() < log.firstIndex()) continue; // compacted: covered by the snapshot
      if (committed.index() > log.lastIndex() || log.term(committed.index()) != committed.term()) {
        violations.add("leader completeness: " + id + " leads term " + term + " without committed entry " + committed);
        return;
      }
    }
  }

  /** {@code id} applied {@code e}. */
  public void observeApplied(String id, Entry e) {
    Entry other = appliedByIndex.putIfAbsent(e.index(), e);
    if (other != null && !other.equals(e)) {
      violations.add("state machine safety: " + id + " applied " + e + " where another node applied " + other);
    }
  }

  /** Checks log matching between every pair of logs. */
  public void checkLogMatching(Map<String, ? extends LogStorage> logs) {
    List<String> ids = new ArrayList<>(logs.keySet());
    for (int a = 0; a < ids.size(); a++) {
      for (int b = a + 1; b < ids.size(); b++) {
        String v = logMatchingViolation(ids.get(a), logs.get(ids.get(a)), ids.get(b), logs.get(ids.get(b)));
        if (v != null) violations.add(v);
      }
    }
  }

  static String logMatchingViolation(String idA, LogStorage a, String idB, LogStorage b) {
    long lo = Math.max(a.firstIndex(), b.firstIndex());
    long hi = Math.min(a.lastIndex(), b.lastIndex());
    long lastSame = -1;
    for (long i = hi; i >= lo; i--) {
      if (a.term(i) == b.term(i)) {
        lastSame = i;
        break;
      }
    }
    if (lastSame < lo) return null;
    List<Entry> ea = a.entries(lo, lastSame + 1, Long.MAX_VALUE);
    List<Entry> eb = b.entries(lo, lastSame + 1, Long.MAX_VALUE);
    for (int k = 0; k < ea.size(); k++) {
      if (!ea.get(k).equals(eb.get(k))) {
        return "log matching: " + idA + " and " + idB + " agree on the term at " + lastSame + " but differ at "
            + ea.get(k) + " vs " + eb.get(k);
      }
    }
    return null;
  }

  public Map<Long, Entry> committedEntries() {
    return appliedByIndex;
  }

  public List<String> violations() {
    return List.copyOf(violations);
  }

  public void assertNone() {
    if (!violations.isEmpty()) throw new AssertionError("Raft safety violated:\n  " + String.join("\n  ", violations));
  }
}
