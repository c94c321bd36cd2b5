package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import leasekv.raft.testing.RaftGroup;
import leasekv.raft.testing.TestNode;
import org.junit.jupiter.api.Test;

/** Elections with pre-vote, check-quorum and the lease's vote-refusal rules, as small scenarios. */
class ElectionTest {

  @Test
  void aGroupElectsExactlyOneLeaderOnItsOwn() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.tickAll(40);
    assertEquals(1, g.leaders().size(), "leaders: " + g);
    TestNode leader = g.leader();
    for (TestNode n : g.nodes()) {
      assertEquals(leader.term(), n.term());
      assertEquals(leader.id(), n.core().leaderId());
    }
    g.assertSafe();
  }

  @Test
  void aNewLeaderCommitsANoopOfItsTerm() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    // entry 1 is the bootstrap configuration, entry 2 the leader's no-op
    for (TestNode n : g.nodes()) {
      assertEquals(2, n.appliedIndex(), n.toString());
      assertEquals(EntryType.NOOP, n.applied().get(1).type());
      assertEquals(n1.term(), n.applied().get(1).term());
    }
    assertTrue(n1.publishedLease().committedInOwnTerm());
  }

  @Test
  void aSingleNodeGroupElectsItselfAndCommitsAlone() {
    RaftGroup g = RaftGroup.of("n1");
    g.tickAll(25);
    assertTrue(g.node("n1").isLeader());
    g.propose("n1", "x=1");
    assertEquals(List.of("x=1"), g.node("n1").appliedData());
    assertTrue(g.node("n1").canServeLeaseRead());
  }

  @Test
  void preVoteKeepsAPartitionedNodeFromInflatingTerms() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    long term = g.node("n1").term();
    g.isolate("n3");
    g.tickAll(100); // n3 campaigns again and again, but only with pre-votes
    assertEquals(term, g.node("n3").term(), "a pre-candidate does not bump its term");
    g.heal();
    g.tickAll(10);
    assertEquals("n1", g.leader().id(), "the rejoining node does not depose the leader");
    assertEquals(term, g.node("n1").term());
  }

  @Test
  void checkQuorumMakesAnIsolatedLeaderStepDown() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.isolate("n1");
    g.tickAll(25); // check-quorum fires within two election timeouts
    assertEquals(Role.FOLLOWER, g.node("n1").role());
    assertEquals("check-quorum: a quorum was not heard from within the election timeout", g.core("n1").lastStepDownReason());
    g.tickAll(60); // the others elect a leader (perhaps after a split vote)
    TestNode newLeader = g.leader();
    assertNotNull(newLeader);
    assertTrue(newLeader.term() > g.node("n1").term());
  }

  @Test
  void followersRefuseRealVotesWithinTheElectionTimeoutOfHearingFromTheLeader() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    long term = g.node("n2").term();
    g.clearSentMessages();
    // A candidate that skipped pre-vote (say, an old version) asks for real votes at a higher term.
    Message vote = Message.of(MessageType.VOTE, "n3", "n2", term + 1).withLog(g.core("n3").status().lastIndex() > 0 ? 1 : 0, 100);
    g.core("n2").step(vote);
    g.deliverAll();
    assertEquals(term, g.node("n2").term(), "no term bump within the lease window");
    assertTrue(g.sentMessages().stream().noneMatch(m -> m.type() == MessageType.VOTE_RESPONSE && m.from().equals("n2")),
        "the vote request is ignored, not even answered");
    assertTrue(g.node("n1").isLeader());
  }

  @Test
  void aNewClusterElectsItsFirstLeaderWithinOneElectionTimeout() {
    // Nodes that never ran hold no lease promise: they vote at once, and campaign after only the
    // randomized part of the timeout. (A restarted node still waits: the next test.)
    RaftGroup g = RaftGroup.unbooted("n1", "n2", "n3");
    g.tickAll(10); // the test config's election timeout
    assertNotNull(g.leader(), "no leader within one election timeout: " + g);
    g.assertSafe();
  }

  @Test
  void aRestartedNodeWaitsOneElectionTimeoutBeforeItVotes() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.crash("n1");
    g.crash("n2");
    g.restart("n2");
    // n3 heard from n1 long ago; it campaigns, but n2 has just restarted and refuses for a while.
    g.tick("n3", 20);
    g.node("n3").core().campaign();
    g.deliverAll();
    assertFalse(g.node("n3").isLeader(), "n2 must not vote within an election timeout of its restart");
    g.tickAll(30);
    assertNotNull(g.leader(), "after the timeout n2 votes again");
    g.assertSafe();
  }

  @Test
  void unsafeVoteRightAfterRestartElectsARivalAtOnce() {
    RaftGroup g = RaftGroup.of(b -> b.unsafe(UnsafeMode.VOTE_RIGHT_AFTER_RESTART), "n1", "n2", "n3");
    g.electLeader("n1");
    g.crash("n1");
    g.crash("n2");
    g.restart("n2");
    g.tick("n3", 20);
    g.node("n3").core().campaign();
    g.deliverAll();
    assertTrue(g.node("n3").isLeader(), "rule L6 broken: n2 votes right after its restart");
  }

  @Test
  void aCandidateWithAShorterLogLoses() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.isolate("n3");
    g.propose("n1", "a");
    g.heal();
    g.crash("n1");
    g.tickAll(30);
    TestNode leader = g.leader();
    assertEquals("n2", leader.id(), "only n2 holds the committed entry 'a'");
    assertEquals(List.of("a"), g.node("n3").appliedData());
    g.assertSafe();
  }

  @Test
  void leaderIdIsUnknownWhileCampaigning() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.crash("n1");
    g.tick("n2", 25);
    assertNull(g.core("n2").leaderId());
    assertTrue(g.core("n2").role() == Role.PRE_CANDIDATE || g.core("n2").role() == Role.CANDIDATE);
  }
}
