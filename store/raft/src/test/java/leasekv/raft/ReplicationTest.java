package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import leasekv.raft.testing.RaftGroup;
import leasekv.raft.testing.TestNode;
import org.junit.jupiter.api.Test;

/** Log replication, commit rules, flow control and the persist-before-send contract. */
class ReplicationTest {

  @Test
  void proposalsAreReplicatedCommittedAndAppliedInOrderEverywhere() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    EntryId a = g.propose("n1", "a");
    EntryId b = g.propose("n1", "b");
    assertEquals(a.index() + 1, b.index());
    g.tickAll(2); // a heartbeat carries the latest commit to the followers
    for (TestNode n : g.nodes()) assertEquals(List.of("a", "b"), n.appliedData(), n.toString());
    g.assertSafe();
  }

  @Test
  void proposingOnAFollowerFailsAtOnceNamingTheLeader() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    ProposalRejectedException e = assertThrows(ProposalRejectedException.class,
        () -> g.core("n2").propose("x".getBytes(StandardCharsets.UTF_8)));
    assertEquals(ProposalRejectedException.Reason.NOT_LEADER, e.reason());
    assertEquals("n1", e.leaderId());
    assertTrue(g.core("n2").status().lastIndex() == g.core("n1").status().lastIndex(), "nothing was appended");
  }

  @Test
  void aFollowersConflictingUncommittedEntriesAreOverwritten() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.isolate("n1");
    g.core("n1").propose("lost-1".getBytes(StandardCharsets.UTF_8)); // only in n1's log
    g.core("n1").propose("lost-2".getBytes(StandardCharsets.UTF_8));
    g.deliverAll();
    g.silence(); // n2 and n3 stop hearing from n1; their vote-refusal windows end
    g.electLeader("n2");
    g.propose("n2", "kept");
    g.heal();
    g.tickAll(25);
    for (TestNode n : g.nodes()) assertEquals(List.of("kept"), n.appliedData(), n.toString());
    assertTrue(g.node("n1").storage().allEntries().stream()
        .noneMatch(e -> new String(e.data(), StandardCharsets.UTF_8).startsWith("lost")));
    g.assertSafe();
  }

  @Test
  void aLeaderNeverCommitsAnEarlierTermsEntryByCountingReplicas() {
    // Raft §5.4.2 (Figure 8): entry 3 of term 2 is on a majority, yet only an entry of the current
    // term makes it committed.
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.holdMessages(m -> m.type() == MessageType.APPEND_RESPONSE);
    EntryId x = g.propose("n1", "x");
    g.dropHeld();
    g.crash("n1"); // x is on n1, n2, n3 but nobody knows it is committed
    g.silence();
    TestNode n2 = g.node("n2");
    g.holdMessages(m -> m.from().equals("n2") && m.type() == MessageType.APPEND);
    n2.core().campaign();
    g.deliverAll();
    assertTrue(n2.isLeader());
    long termOfX = x.term();
    assertNotEquals(termOfX, n2.term());
    // n3 tells the new leader it matches up to x, not yet the leader's no-op
    n2.core().step(Message.of(MessageType.APPEND_RESPONSE, "n3", "n2", n2.term()).withLog(0, x.index()));
    g.deliverAll();
    assertEquals(x.index() - 1, n2.core().status().commitIndex(), "x must not be committed by counting");
    g.releaseHeld();
    g.tickAll(2);
    assertTrue(n2.core().status().commitIndex() > x.index(), "the no-op of term " + n2.term() + " commits x with it");
    assertEquals(List.of("x"), n2.appliedData());
    g.assertSafe();
  }

  @Test
  void inFlightAppendsPerFollowerAreLimited() {
    RaftGroup g = RaftGroup.of(b -> b.maxInflightAppends(3), "n1", "n2", "n3");
    g.electLeader("n1");
    g.holdMessages(m -> m.type() == MessageType.APPEND_RESPONSE && m.from().equals("n2"));
    g.clearSentMessages();
    for (int i = 0; i < 10; i++) g.propose("n1", "v" + i);
    long appendsToN2 = g.sentMessages().stream()
        .filter(m -> m.type() == MessageType.APPEND && m.to().equals("n2") && !m.entries().isEmpty()).count();
    assertEquals(3, appendsToN2, "at most maxInflightAppends unanswered appends to n2");
    g.releaseHeld();
    g.tickAll(4);
    assertEquals(10, g.node("n2").appliedData().size(), "n2 catches up once acks flow again");
  }

  @Test
  void proposalsBetweenTwoReadiesGoOutInBatchesOfAtMostMaxBatchBytes() {
    RaftGroup g = RaftGroup.of(b -> b.maxBatchBytes(70_000), "n1", "n2", "n3");
    g.electLeader("n1");
    g.clearSentMessages();
    byte[] thirtyK = new byte[30_000];
    for (int i = 0; i < 5; i++) g.core("n1").propose(thirtyK); // no delivery in between: one loop iteration
    g.deliverAll();
    List<Message> appends = g.sentMessages().stream()
        .filter(m -> m.type() == MessageType.APPEND && m.to().equals("n2") && !m.entries().isEmpty()).toList();
    assertEquals(List.of(2, 2, 1), appends.stream().map(m -> m.entries().size()).toList());
    for (Message m : appends) assertTrue(m.entriesBytes() <= 70_000);
  }

  @Test
  void aFollowerThatMissedAppendsCatchesUpFromHeartbeats() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.dropMessagesTo("n3");
    for (int i = 0; i < 5; i++) g.propose("n1", "v" + i);
    g.heal();
    g.tickAll(6);
    assertEquals(g.node("n1").appliedData(), g.node("n3").appliedData());
  }

  @Test
  void aFollowerPersistsEntriesInTheSameSyncedReadyAsItsAck() {
    RaftGroup g = RaftGroup.of("n1", "n2");
    g.electLeader("n1");
    RaftCore n2 = g.core("n2");
    long last = n2.status().lastIndex();
    long term = n2.term();
    Entry e = Entry.normal(term, last + 1, new byte[] {1});
    n2.step(Message.of(MessageType.APPEND, "n1", "n2", term).withLog(term, last).withEntries(List.of(e), last));
    Ready r = n2.ready();
    assertEquals(List.of(e), r.entries());
    assertTrue(r.mustSync(), "new entries must be fsynced before the ack leaves");
    Message ack = r.messages().get(0);
    assertEquals(MessageType.APPEND_RESPONSE, ack.type());
    assertEquals(last + 1, ack.index());
    g.node("n2").handle(r);
  }

  @Test
  void aVoteIsPersistedAndSyncedBeforeItsResponseIsSent() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.tickAll(1);
    RaftCore n2 = g.core("n2");
    long term = n2.term();
    n2.step(Message.of(MessageType.VOTE, "n1", "n2", term + 1).withLog(n2.status().lastIndex() > 0 ? 1 : 0, 1));
    Ready r = n2.ready();
    assertEquals(new HardState(term + 1, "n1", n2.status().commitIndex()), r.hardState());
    assertTrue(r.mustSync());
    assertEquals(MessageType.VOTE_RESPONSE, r.messages().get(0).type());
    assertTrue(!r.messages().get(0).reject());
    g.node("n2").handle(r);
  }

  @Test
  void aCommitIndexChangeAloneNeedsNoSync() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.holdMessages(m -> m.type() == MessageType.HEARTBEAT || (m.type() == MessageType.APPEND && m.entries().isEmpty()));
    g.propose("n1", "a");
    RaftCore n2 = g.core("n2");
    long term = n2.term();
    long commit = n2.status().commitIndex();
    n2.step(Message.of(MessageType.HEARTBEAT, "n1", "n2", term).withCommit(commit + 1));
    Ready r = n2.ready();
    assertEquals(commit + 1, r.hardState().commit());
    assertTrue(!r.mustSync(), "commit can be re-learned from the leader");
    g.node("n2").handle(r);
  }

  @Test
  void messagesNotAddressedToTheCoreAreRefusedClearly() {
    RaftGroup g = RaftGroup.of("n1", "n2");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.core("n1").step(Message.of(MessageType.HEARTBEAT, "n2", "n9", 1)));
    assertTrue(e.getMessage().contains("n9"), e.getMessage());
  }

  @Test
  void aMalformedAppendIsRefusedWithoutTouchingTheLog() {
    RaftGroup g = RaftGroup.of("n1", "n2");
    g.electLeader("n1");
    RaftCore n2 = g.core("n2");
    long last = n2.status().lastIndex();
    long term = n2.term();
    Message gap = Message.of(MessageType.APPEND, "n1", "n2", term).withLog(term, last)
        .withEntries(List.of(Entry.normal(term, last + 2, new byte[0])), 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> n2.step(gap));
    assertTrue(e.getMessage().startsWith("malformed APPEND from n1"), e.getMessage());
    Message future = Message.of(MessageType.APPEND, "n1", "n2", term).withLog(term, last)
        .withEntries(List.of(Entry.normal(term + 5, last + 1, new byte[0])), 0);
    assertThrows(IllegalArgumentException.class, () -> n2.step(future));
    assertEquals(last, n2.status().lastIndex());
  }

  @Test
  void aRestartedNodeReplaysFromItsAppliedIndexAndKeepsItsVote() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.propose("n1", "a");
    g.tickAll(2);
    HardState before = g.node("n2").storage().hardState();
    g.crash("n2");
    g.restart("n2");
    RaftCore n2 = g.core("n2");
    assertEquals(before.term(), n2.term());
    assertEquals(Role.FOLLOWER, n2.role());
    assertEquals(List.of("a"), g.node("n2").appliedData(), "nothing is applied twice");
    g.propose("n1", "b");
    g.tickAll(2);
    assertEquals(List.of("a", "b"), g.node("n2").appliedData());
  }
}
