package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import leasekv.raft.testing.MemoryLogStorage;
import leasekv.raft.testing.RaftInvariants;
import org.junit.jupiter.api.Test;

/** The safety checker must catch each violation, or the tests that rely on it prove nothing. */
class RaftInvariantsTest {
  private static MemoryLogStorage log(Entry... entries) {
    MemoryLogStorage s = new MemoryLogStorage();
    s.append(List.of(entries));
    return s;
  }

  private static Entry e(long term, long index, String data) {
    return Entry.normal(term, index, data.getBytes());
  }

  @Test
  void twoLeadersInOneTermViolateElectionSafety() {
    RaftInvariants inv = new RaftInvariants();
    inv.observeLeader("n1", 3, log());
    inv.observeLeader("n1", 3, log());
    assertEquals(List.of(), inv.violations(), "the same leader seen twice is fine");
    inv.observeLeader("n2", 3, log());
    assertTrue(inv.violations().get(0).startsWith("election safety"), inv.violations().toString());
  }

  @Test
  void logsThatAgreeOnATermButDifferBeforeItViolateLogMatching() {
    RaftInvariants inv = new RaftInvariants();
    inv.checkLogMatching(Map.of("n1", log(e(1, 1, "a"), e(2, 2, "b")), "n2", log(e(1, 1, "x"), e(2, 2, "b"))));
    assertTrue(inv.violations().get(0).startsWith("log matching"), inv.violations().toString());
    RaftInvariants ok = new RaftInvariants();
    ok.checkLogMatching(Map.of("n1", log(e(1, 1, "a"), e(2, 2, "b")), "n2", log(e(1, 1, "a"), e(3, 2, "c"))));
    assertEquals(List.of(), ok.violations(), "diverging after a common prefix is allowed");
  }

  @Test
  void aLeaderWithoutACommittedEntryViolatesLeaderCompleteness() {
    RaftInvariants inv = new RaftInvariants();
    inv.observeApplied("n1", e(1, 1, "a"));
    inv.observeLeader("n2", 2, log(e(1, 1, "a")));
    assertEquals(List.of(), inv.violations());
    inv.observeApplied("n1", e(2, 2, "b"));
    inv.observeLeader("n3", 3, log(e(1, 1, "a"), e(1, 2, "other")));
    assertTrue(inv.violations().get(0).startsWith("leader completeness"), inv.violations().toString());
  }

  @Test
  void differentEntriesAppliedAtOneIndexViolateStateMachineSafety() {
    RaftInvariants inv = new RaftInvariants();
    inv.observeApplied("n1", e(1, 1, "a"));
    inv.observeApplied("n2", e(1, 1, "a"));
    assertEquals(List.of(), inv.violations());
    inv.observeApplied("n3", e(2, 1, "b"));
    assertTrue(inv.violations().get(0).startsWith("state machine safety"), inv.violations().toString());
  }
}
