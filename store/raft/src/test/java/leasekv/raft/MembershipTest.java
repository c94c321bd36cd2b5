package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import leasekv.raft.testing.RaftGroup;
import leasekv.raft.testing.TestNode;
import org.junit.jupiter.api.Test;

/**
 * Single-server membership changes. A configuration takes effect as soon as its entry is in a log
 * (dissertation §4.1), so a truncated change is also undone.
 */
class MembershipTest {

  @Test
  void anAddedVoterReceivesTheWholeLogAndCountsTowardTheQuorum() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.propose("n1", "a");
    TestNode n4 = g.addNode("n4");
    g.core("n1").proposeConfChange(ConfChange.addVoter("n4"));
    g.tickAll(4);
    assertEquals(List.of("n1", "n2", "n3", "n4"), n4.core().conf().voters());
    assertEquals(List.of("a"), n4.appliedData());
    g.crash("n2");
    g.crash("n3"); // two of four are down: no quorum
    g.propose("n1", "b");
    assertFalse(g.node("n1").appliedData().contains("b"), "quorum of four is three");
    g.assertSafe();
  }

  @Test
  void aRemovedFollowerIsNoLongerCountedOrContacted() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.core("n1").proposeConfChange(ConfChange.removeVoter("n3"));
    g.tickAll(2);
    assertEquals(List.of("n1", "n2"), g.core("n1").conf().voters());
    assertEquals(List.of("n1", "n2"), g.core("n3").conf().voters(), "n3 learned its own removal");
    g.crash("n3");
    g.propose("n1", "a");
    assertTrue(g.node("n1").appliedData().contains("a"), "n1 and n2 are a quorum of two");
    g.restart("n3");
    g.tickAll(60);
    assertEquals(Role.FOLLOWER, g.node("n3").role(), "a removed node never campaigns");
    assertEquals("n1", g.leader().id());
  }

  @Test
  void aLeaderRemovingItselfRefusesWritesUntilItSteppedDown() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.dropMessagesFrom("n1"); // the removal is appended but cannot commit
    n1.core().proposeConfChange(ConfChange.removeVoter("n1"));
    ProposalRejectedException e = assertThrows(ProposalRejectedException.class, () -> n1.core().propose(new byte[0]));
    assertEquals(ProposalRejectedException.Reason.NOT_LEADER, e.reason());
    assertTrue(e.getMessage().endsWith("is being removed from the configuration"), e.getMessage());
  }

  @Test
  void aRemovedLeaderHandsOffToTheMostCaughtUpVoterNotTheFirst() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3", "n4");
    TestNode n1 = g.electLeader("n1");
    g.dropMessagesTo("n2"); // n2 falls behind; n3 and n4 with n1 still make a quorum of four
    g.propose("n1", "v");
    n1.core().proposeConfChange(ConfChange.removeVoter("n1"));
    g.clearSentMessages();
    g.deliverAll();
    assertEquals(Role.FOLLOWER, n1.role());
    Message timeoutNow = g.sentMessages().stream().filter(m -> m.type() == MessageType.TIMEOUT_NOW).findFirst().orElseThrow();
    assertEquals("n3", timeoutNow.to(), "n2 is behind; n3 is the first of the caught-up voters");
  }

  @Test
  void aRemovedLeaderDropsItsLeaseCommitsItsRemovalThenHandsOff() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    assertTrue(n1.canServeLeaseRead());
    n1.core().proposeConfChange(ConfChange.removeVoter("n1"));
    Ready r = n1.core().ready();
    assertFalse(r.leaseState().leaseHeld(), "a leader removing itself drops its lease at once");
    g.clearSentMessages();
    g.send(n1.handle(r));
    assertEquals(Role.FOLLOWER, n1.role());
    assertEquals("removed from the configuration by a committed change", n1.core().lastStepDownReason());
    assertTrue(g.sentMessages().stream().anyMatch(m -> m.type() == MessageType.TIMEOUT_NOW));
    TestNode next = g.leader();
    assertNotNull(next, "TimeoutNow hands leadership to an up-to-date voter at once");
    assertEquals(List.of("n2", "n3"), next.core().conf().voters());
    g.propose(next.id(), "after");
    assertTrue(next.appliedData().contains("after"));
    g.tickAll(40);
    assertFalse(n1.isLeader(), "the removed node stays out");
    g.assertSafe();
  }

  @Test
  void onlyOneChangeMayBeUncommittedAtATime() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.addNode("n4");
    g.addNode("n5");
    g.holdMessages(m -> m.type() == MessageType.APPEND_RESPONSE);
    g.core("n1").proposeConfChange(ConfChange.addVoter("n4"));
    g.deliverAll();
    ProposalRejectedException e = assertThrows(ProposalRejectedException.class,
        () -> g.core("n1").proposeConfChange(ConfChange.addVoter("n5")));
    assertEquals(ProposalRejectedException.Reason.CONF_CHANGE_IN_PROGRESS, e.reason());
    g.releaseHeld();
    g.tickAll(2);
    g.core("n1").proposeConfChange(ConfChange.addVoter("n5"));
    g.tickAll(4);
    assertEquals(List.of("n1", "n2", "n3", "n4", "n5"), g.core("n5").conf().voters());
    g.assertSafe();
  }

  @Test
  void aNewLeaderMustCommitInItsTermBeforeChangingMembership() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.holdMessages(m -> m.type() == MessageType.APPEND_RESPONSE);
    g.electLeader("n1");
    ProposalRejectedException e = assertThrows(ProposalRejectedException.class,
        () -> g.core("n1").proposeConfChange(ConfChange.removeVoter("n3")));
    assertEquals(ProposalRejectedException.Reason.NOT_COMMITTED_IN_TERM, e.reason());
  }

  @Test
  void anUncommittedChangeIsUndoneWhenItsEntryIsTruncated() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.isolate("n1");
    g.core("n1").proposeConfChange(ConfChange.addVoter("n4"));
    g.deliverAll();
    assertEquals(List.of("n1", "n2", "n3", "n4"), g.core("n1").conf().voters(), "in effect as soon as it is in the log");
    g.silence();
    g.electLeader("n2");
    g.propose("n2", "x");
    g.heal();
    g.tickAll(30);
    assertEquals(List.of("n1", "n2", "n3"), g.core("n1").conf().voters(), "the truncated entry takes its configuration along");
    g.assertSafe();
  }

  @Test
  void invalidChangesAreRefusedWithAReason() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    ProposalRejectedException dup = assertThrows(ProposalRejectedException.class,
        () -> g.core("n1").proposeConfChange(ConfChange.addVoter("n2")));
    assertEquals(ProposalRejectedException.Reason.INVALID_CONF_CHANGE, dup.reason());
    assertTrue(dup.getMessage().contains("n2 is already a voter"), dup.getMessage());
    ProposalRejectedException missing = assertThrows(ProposalRejectedException.class,
        () -> g.core("n1").proposeConfChange(ConfChange.removeVoter("n9")));
    assertTrue(missing.getMessage().contains("n9 is not a voter"), missing.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ConfChange.addVoter("a,b"));
  }

  @Test
  void aRestartedNodeRecoversItsMembershipFromTheLog() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.addNode("n4");
    g.core("n1").proposeConfChange(ConfChange.addVoter("n4"));
    g.tickAll(4);
    g.crash("n2");
    g.restart("n2");
    assertEquals(List.of("n1", "n2", "n3", "n4"), g.core("n2").conf().voters());
  }
}
