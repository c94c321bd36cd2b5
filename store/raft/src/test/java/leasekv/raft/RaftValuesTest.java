package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The small values the core's decisions read: membership, hard state, message kinds, lease state. */
class RaftValuesTest {
  @Test
  void aMembershipRefusesEmptyIdsAndIdsWithCommas() {
    assertThrows(IllegalArgumentException.class, () -> new ConfState(List.of("n1", "")));
    assertThrows(IllegalArgumentException.class, () -> new ConfState(List.of("n1,n2")));
    assertEquals(new ConfState(List.of()), ConfState.decode(new byte[0]), "the empty membership decodes");
    assertEquals(List.of("a", "b"), ConfState.decode("b,a".getBytes()).voters());
  }

  @Test
  void aHardStateRefusesNegativeFieldsAndMustSyncOnlyForTermOrVote() {
    assertThrows(IllegalArgumentException.class, () -> new HardState(-1, null, 0));
    assertThrows(IllegalArgumentException.class, () -> new HardState(0, null, -1));
    HardState hs = new HardState(3, "n2", 10);
    assertFalse(new HardState(3, "n2", 11).mustSyncComparedTo(hs), "a commit alone can be re-learned");
    assertTrue(new HardState(4, "n2", 10).mustSyncComparedTo(hs));
    assertTrue(new HardState(3, "n3", 10).mustSyncComparedTo(hs));
    assertTrue(new HardState(3, null, 10).mustSyncComparedTo(hs));
  }

  @Test
  void onlyAppendsHeartbeatsAndSnapshotsComeFromALeader() {
    for (MessageType t : MessageType.values()) {
      boolean leader = t == MessageType.APPEND || t == MessageType.HEARTBEAT || t == MessageType.INSTALL_SNAPSHOT;
      assertEquals(leader, t.isFromLeader(), t.name());
    }
  }

  @Test
  void aLeaseReadNeedsALeaderTheOwnTermCommitAndTimeLeft() {
    LeaseState held = new LeaseState(2, Role.LEADER, "n1", true, 1_000, true, 5, false, false);
    assertTrue(held.canServeLeaseRead(999));
    assertFalse(held.canServeLeaseRead(1_000), "the lease ends at its instant");
    LeaseState follower = new LeaseState(2, Role.FOLLOWER, "n1", true, 1_000, true, 5, false, false);
    assertFalse(follower.canServeLeaseRead(0));
    LeaseState unchecked = new LeaseState(2, Role.FOLLOWER, "n1", false, 0, true, 5, true, false);
    assertFalse(unchecked.canServeLeaseRead(0), "even with the check disabled, only a leader");
  }

  @Test
  void configurationHistoryFoldsCompactedChangesAndForgetsOlderOnes() {
    ConfState three = new ConfState(List.of("n1", "n2", "n3"));
    ConfState four = three.withVoter("n4");
    ConfState five = four.withVoter("n5");
    ConfigHistory h = new ConfigHistory(new SnapshotMeta(10, 1, three));
    h.onAppend(new Entry(1, 12, EntryType.CONFIG, four.encode()));
    h.onAppend(new Entry(1, 14, EntryType.CONFIG, five.encode()));
    h.compactTo(10); // at the base: nothing changes
    assertEquals(five, h.latest());
    h.compactTo(13);
    assertEquals(five, h.latest());
    assertEquals(14, h.latestIndex());
    h.truncateFrom(14);
    assertEquals(four, h.latest(), "the change at 12 was folded into the base");
    assertEquals(13, h.latestIndex());
    h.onAppend(new Entry(1, 15, EntryType.CONFIG, five.encode()));
    h.reset(new SnapshotMeta(20, 2, three));
    assertEquals(three, h.latest(), "a reset forgets every change");
    assertEquals(20, h.latestIndex());
    h.compactTo(15); // below the base: ignored
    assertEquals(20, h.latestIndex());
  }

  @Test
  void readIndexRequestsWaitForTheOwnTermCommitThenARoundAndAbortOnce() {
    ReadIndexQueue q = new ReadIndexQueue();
    q.add(1, false, 0);
    q.add(2, true, 7);
    assertEquals(2, q.size());
    q.onOwnTermCommit(9);
    q.onOwnTermCommit(11); // a second report must not queue request 1 twice
    assertEquals(2, q.size());
    assertTrue(q.needsRound());
    q.assignRound(4);
    assertFalse(q.needsRound());
    q.add(3, false, 0);
    q.add(6, true, 8);
    assertEquals(4, q.size(), "one in each stage, two in the round");
    List<ReadState> released = new ArrayList<>();
    q.release(3, released);
    assertEquals(List.of(), released);
    q.release(4, released);
    assertEquals(List.of(new ReadState(2, 7), new ReadState(1, 9)), released);
    q.add(4, true, 12);
    q.assignRound(5);
    q.add(5, true, 12);
    List<Long> aborted = new ArrayList<>();
    q.abortAll(aborted);
    assertEquals(List.of(3L, 5L, 6L, 4L), aborted);
    assertEquals(0, q.size());
    List<Long> again = new ArrayList<>();
    q.abortAll(again);
    assertEquals(List.of(), again, "each request is aborted once");
    q.release(Long.MAX_VALUE, released);
    assertEquals(2, released.size());
  }
}
