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
 * The lease rules L2-L9 of docs/rules.md as scenarios. Time is each node's
 * own manual clock; a tick is 10 ms, the election timeout 10 ticks, so the lease is
 * (100 ms - 10 ms) * 0.9 / 1.1 = 73.6 ms.
 */
class LeaseTest {
  private record Round(long seq, long sentAtNanos) {}

  /** Ticks the leader alone until it broadcasts a heartbeat round; returns the round and its clock reading. */
  private static Round heartbeatRound(RaftGroup g, String leader) {
    for (int i = 0; i < 20; i++) {
      g.clearSentMessages();
      g.node(leader).tick();
      long now = g.node(leader).clock().nanoTime();
      g.deliverAll();
      for (Message m : g.sentMessages()) {
        if (m.type() == MessageType.HEARTBEAT && m.from().equals(leader)) return new Round(m.seq(), now);
      }
    }
    throw new AssertionError(leader + " sent no heartbeat");
  }

  @Test
  void aLateReplyExtendsTheLeaseOnlyFromTheSendTimeOfItsOwnRound() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    long lease = n1.core().config().leaseNanos();
    g.holdMessages(m -> m.type() == MessageType.HEARTBEAT_RESPONSE);
    Round r = heartbeatRound(g, "n1");
    heartbeatRound(g, "n1"); // a later round; its replies are held too
    long releasedAt = n1.clock().nanoTime();
    g.releaseHeld(m -> m.seq() == r.seq()); // the replies to round r arrive only now
    assertEquals(r.sentAtNanos() + lease, n1.publishedLease().leaseUntilNanos(),
        "the lease runs from when round " + r.seq() + " was sent, not from when its replies arrived");
    assertTrue(r.sentAtNanos() + lease < releasedAt + lease);
  }

  @Test
  void unsafeLeaseFromAckReceiptRunsFromWhenTheRepliesArrive() {
    RaftGroup g = RaftGroup.of(b -> b.unsafe(UnsafeMode.LEASE_FROM_ACK_RECEIPT), "n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    long lease = n1.core().config().leaseNanos();
    g.holdMessages(m -> m.type() == MessageType.HEARTBEAT_RESPONSE);
    Round r = heartbeatRound(g, "n1");
    heartbeatRound(g, "n1");
    long releasedAt = n1.clock().nanoTime();
    g.releaseHeld(m -> m.seq() == r.seq());
    assertEquals(releasedAt + lease, n1.publishedLease().leaseUntilNanos(), "UNSAFE: anchored at receipt");
  }

  @Test
  void theQuorumInstantIsTheMajorityThLatestAcknowledgedSendTimeCountingTheLeader() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3", "n4", "n5");
    TestNode n1 = g.electLeader("n1");
    long lease = n1.core().config().leaseNanos();
    long electionLease = n1.publishedLease().leaseUntilNanos();
    g.holdMessages(m -> m.type() == MessageType.HEARTBEAT_RESPONSE);
    Round r1 = heartbeatRound(g, "n1");
    Round r2 = heartbeatRound(g, "n1");
    Round r3 = heartbeatRound(g, "n1");
    g.releaseHeld(m -> m.from().equals("n2") && m.seq() == r3.seq());
    assertEquals(electionLease, n1.publishedLease().leaseUntilNanos(), "one fresh follower is not a quorum of five");
    g.releaseHeld(m -> m.from().equals("n3") && m.seq() == r2.seq());
    assertEquals(r2.sentAtNanos() + lease, n1.publishedLease().leaseUntilNanos(), "n1 (now), n2 (r3), n3 (r2): the third latest is r2");
    g.releaseHeld(m -> m.from().equals("n4") && m.seq() == r1.seq());
    assertEquals(r2.sentAtNanos() + lease, n1.publishedLease().leaseUntilNanos(), "an older ack does not change the majority-th latest");
  }

  @Test
  void unsafeLeaseFromFreshestAckLetsOneFollowerKeepTheLease() {
    RaftGroup g = RaftGroup.of(b -> b.unsafe(UnsafeMode.LEASE_FROM_FRESHEST_ACK), "n1", "n2", "n3", "n4", "n5");
    TestNode n1 = g.electLeader("n1");
    long lease = n1.core().config().leaseNanos();
    g.holdMessages(m -> m.type() == MessageType.HEARTBEAT_RESPONSE);
    heartbeatRound(g, "n1");
    Round r2 = heartbeatRound(g, "n1");
    g.releaseHeld(m -> m.from().equals("n2") && m.seq() == r2.seq());
    assertEquals(r2.sentAtNanos() + lease, n1.publishedLease().leaseUntilNanos(),
        "rule L3 broken: one fresh follower of five extends the lease");
  }

  @Test
  void anIsolatedLeadersLeaseRunsOutBeforeCheckQuorumDeposesIt() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1"); // check-quorum first looks 10 ticks from now
    long until = n1.publishedLease().leaseUntilNanos();
    assertTrue(n1.canServeLeaseRead());
    g.isolate("n1");
    int ticks = 0;
    while (n1.clock().nanoTime() - until < 0) {
      assertTrue(n1.canServeLeaseRead(), "lease valid until it runs out");
      g.tick("n1", 1);
      ticks++;
    }
    assertEquals(8, ticks, "73.6 ms of lease is gone after 8 ticks of 10 ms");
    assertTrue(n1.isLeader(), "still leader: check-quorum has not fired yet");
    assertFalse(n1.canServeLeaseRead(), "but the lease has run out");
    g.tick("n1", 12);
    assertFalse(n1.isLeader(), "check-quorum deposes the isolated leader within two election timeouts");
  }

  @Test
  void theLeaseIsDroppedBeforeTimeoutNowIsSent() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    assertTrue(n1.canServeLeaseRead());
    n1.core().transferLeadership("n2"); // n2 is up to date: TimeoutNow goes out in this very Ready
    Ready r = n1.core().ready();
    assertTrue(r.messages().stream().anyMatch(m -> m.type() == MessageType.TIMEOUT_NOW && m.to().equals("n2")));
    assertFalse(r.leaseState().leaseHeld(), "the node publishes this lease state before sending TimeoutNow");
    assertFalse(r.leaseState().canServeLeaseRead(n1.clock().nanoTime()));
    g.send(n1.handle(r));
    assertTrue(g.node("n2").isLeader());
  }

  @Test
  void unsafeKeepLeaseDuringTransferStillHoldsTheLeaseWhenTimeoutNowLeaves() {
    RaftGroup g = RaftGroup.of(b -> b.unsafe(UnsafeMode.KEEP_LEASE_DURING_TRANSFER), "n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    n1.core().transferLeadership("n2");
    Ready r = n1.core().ready();
    assertTrue(r.messages().stream().anyMatch(m -> m.type() == MessageType.TIMEOUT_NOW));
    assertTrue(r.leaseState().canServeLeaseRead(n1.clock().nanoTime()), "rule L7 broken: the lease outlives TimeoutNow");
    g.send(n1.handle(r));
    assertTrue(g.node("n2").isLeader());
    assertTrue(n1.canServeLeaseRead() || !n1.isLeader(), "the old leader serves until it hears of n2");
  }

  @Test
  void aTransferHandsOverLeadershipAndTheLease() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.core("n1").transferLeadership("n2");
    g.deliverAll();
    assertTrue(g.node("n2").isLeader());
    assertFalse(g.node("n1").canServeLeaseRead());
    assertTrue(g.node("n2").canServeLeaseRead(), "the transfer campaign bypassed the followers' vote refusal");
    g.assertSafe();
  }

  @Test
  void aFailedTransferDoesNotReviveTheLeaseFromEarlierAcksAndItsLateTimeoutNowIsRefused() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    long term = n1.term();
    g.holdMessages(m -> m.type() == MessageType.TIMEOUT_NOW);
    n1.core().transferLeadership("n2");
    g.deliverAll();
    assertFalse(n1.canServeLeaseRead());
    g.tickAll(4); // heartbeats during the transfer are acknowledged...
    assertFalse(n1.canServeLeaseRead(), "...but earn no lease: a TimeoutNow may be on its way");
    ProposalRejectedException busy = assertThrows(ProposalRejectedException.class, () -> n1.core().propose(new byte[1]));
    assertEquals(ProposalRejectedException.Reason.TRANSFER_IN_PROGRESS, busy.reason());

    g.tickAll(10); // the transfer times out; rounds opened after it earn a lease again
    assertTrue(n1.isLeader());
    assertTrue(n1.canServeLeaseRead());
    n1.core().propose(new byte[1]);

    long staleTransferRound = g.heldMessages().get(0).seq();
    g.releaseHeld(); // the TimeoutNow arrives after all...
    assertEquals(Role.FOLLOWER, g.node("n2").role(), "...but n2 heard newer rounds, so it ignores it");

    // Even a node that missed those rounds and campaigns on the stale TimeoutNow gets no vote:
    g.clearSentMessages();
    g.core("n3").step(Message.of(MessageType.VOTE, "n2", "n3", term + 1).withLog(term, 1000)
        .withTransfer(true).withSeq(staleTransferRound));
    n1.core().step(Message.of(MessageType.VOTE, "n2", "n1", term + 1).withLog(term, 1000)
        .withTransfer(true).withSeq(staleTransferRound));
    g.deliverAll();
    assertTrue(g.sentMessages().stream().noneMatch(m -> m.type() == MessageType.VOTE_RESPONSE),
        "n1 and n3 heard rounds newer than that TimeoutNow: the stale transfer campaign is ignored");
    assertEquals(term, g.node("n3").term(), "and nobody changed term");
    assertTrue(n1.isLeader() && n1.canServeLeaseRead());
    g.assertSafe();
  }

  @Test
  void aNodeThatCampaignsEarlyStillRefusesVotesWithinItsLeaseWindow() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.core("n2").campaign(); // e.g. an admin hook; n1 and n3 refuse its pre-vote
    g.deliverAll();
    assertEquals(Role.PRE_CANDIDATE, g.node("n2").role());
    long term = n1.term();
    g.clearSentMessages();
    g.core("n2").step(Message.of(MessageType.VOTE, "n3", "n2", term + 1).withLog(term, 1000));
    g.deliverAll();
    assertTrue(g.sentMessages().stream().noneMatch(m -> m.type() == MessageType.VOTE_RESPONSE && m.from().equals("n2")),
        "n2 acknowledged n1 moments ago: whatever its role, it must not vote for a rival yet");
    assertEquals(term, g.node("n2").term());
    assertTrue(n1.canServeLeaseRead());
  }

  /**
   * Catch-up ticks (a batch replayed after a stall or a forward clock jump) drive timers but do not
   * count toward the vote refusal; a refusal ends only after E + 1 counted ticks (lease rule L4).
   */
  @Test
  void catchUpTicksDoNotShortenTheVoteRefusal() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    long term = n1.term();
    int e = n1.core().config().electionTimeoutTicks();
    for (int i = 0; i < 10 * e; i++) g.core("n2").tickCatchingUp();
    for (int i = 0; i < e; i++) g.core("n2").tick();
    g.clearSentMessages();
    g.core("n2").step(Message.of(MessageType.VOTE, "n3", "n2", term + 1).withLog(term, 1000));
    g.deliverAll();
    assertTrue(g.sentMessages().stream().noneMatch(m -> m.type() == MessageType.VOTE_RESPONSE && m.from().equals("n2")),
        "E counted ticks after hearing the leader: still refusing");
    assertEquals(term, g.node("n2").term());
    g.core("n2").tick();
    g.core("n2").step(Message.of(MessageType.VOTE, "n3", "n2", term + 1).withLog(term, 1000));
    g.deliverAll();
    assertTrue(g.sentMessages().stream().anyMatch(m -> m.type() == MessageType.VOTE_RESPONSE && m.from().equals("n2")
        && !m.reject()), "after E + 1 counted ticks the refusal is over");
  }

  @Test
  void unsafeVoteWithinLeaseGrantsAVoteRightAfterHearingFromTheLeader() {
    RaftGroup g = RaftGroup.of(b -> b.unsafe(UnsafeMode.VOTE_WITHIN_LEASE), "n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    long term = n1.term();
    g.clearSentMessages();
    g.core("n2").step(Message.of(MessageType.VOTE, "n3", "n2", term + 1).withLog(term, 1000));
    g.deliverAll();
    assertTrue(g.sentMessages().stream().anyMatch(m -> m.type() == MessageType.VOTE_RESPONSE && m.from().equals("n2")
        && !m.reject()), "rule L5 broken: n2 votes although it acknowledged n1 moments ago");
    assertEquals(term + 1, g.node("n2").term());
  }

  @Test
  void aNewLeaderServesNoLeaseReadUntilItCommitsAnEntryOfItsTerm() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.propose("n1", "a");
    g.crash("n1");
    g.silence();
    g.holdMessages(m -> m.type() == MessageType.APPEND_RESPONSE); // the new leader's no-op stays unacknowledged
    TestNode n2 = g.electLeader("n2");
    heartbeatRound(g, "n2"); // n3 acknowledges a heartbeat round: n2 holds a lease
    assertTrue(n2.publishedLease().leaseHeld());
    assertFalse(n2.publishedLease().committedInOwnTerm());
    assertFalse(n2.canServeLeaseRead(), "a lease is not enough before the own-term commit");
    g.releaseHeld();
    assertTrue(n2.publishedLease().committedInOwnTerm());
    assertTrue(n2.canServeLeaseRead());
  }

  @Test
  void unsafeReadBeforeOwnTermCommitServesAsSoonAsTheLeaseIsHeld() {
    RaftGroup g = RaftGroup.of(b -> b.unsafe(UnsafeMode.READ_BEFORE_OWN_TERM_COMMIT), "n1", "n2", "n3");
    g.electLeader("n1");
    g.crash("n1");
    g.silence();
    g.holdMessages(m -> m.type() == MessageType.APPEND_RESPONSE);
    TestNode n2 = g.electLeader("n2");
    heartbeatRound(g, "n2");
    assertFalse(n2.publishedLease().committedInOwnTerm());
    assertTrue(n2.canServeLeaseRead(), "UNSAFE: served before the own-term commit");
  }

  @Test
  void aTermChangeDropsTheLease() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    assertTrue(n1.canServeLeaseRead());
    n1.core().step(Message.of(MessageType.HEARTBEAT, "n2", "n1", n1.term() + 1)); // a leader of a newer term
    n1.drain();
    assertEquals(Role.FOLLOWER, n1.role());
    assertFalse(n1.publishedLease().leaseHeld());
    assertFalse(n1.canServeLeaseRead());
  }

  @Test
  void unsafeNoLeaseCheckServesWithoutAnyLease() {
    RaftGroup g = RaftGroup.of(b -> b.unsafe(UnsafeMode.NO_LEASE_CHECK), "n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    long until = n1.publishedLease().leaseUntilNanos();
    g.isolate("n1");
    g.tick("n1", 8); // past the lease, before check-quorum
    assertTrue(n1.isLeader());
    assertTrue(n1.clock().nanoTime() - until >= 0, "the lease has run out");
    assertTrue(n1.canServeLeaseRead(), "UNSAFE: no lease check at all");
  }

  @Test
  void unsafeLongLeaseIsTwiceTheElectionTimeout() {
    RaftGroup g = RaftGroup.of(b -> b.unsafe(UnsafeMode.LEASE_EXCEEDS_ELECTION_TIMEOUT), "n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    Round r = heartbeatRound(g, "n1");
    assertEquals(r.sentAtNanos() + 200_000_000L, n1.publishedLease().leaseUntilNanos());
  }

  @Test
  void theLeaderCountsOnlyVotersForItsLease() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.holdMessages(m -> m.type() == MessageType.HEARTBEAT_RESPONSE);
    Round r = heartbeatRound(g, "n1");
    // an ack from a node that is not a member, and a stale-term reply with seq 0, earn nothing
    long before = n1.publishedLease().leaseUntilNanos();
    n1.core().step(Message.of(MessageType.HEARTBEAT_RESPONSE, "n9", "n1", n1.term()).withSeq(r.seq()));
    n1.core().step(Message.of(MessageType.APPEND_RESPONSE, "n2", "n1", n1.term()));
    n1.drain();
    assertEquals(before, n1.publishedLease().leaseUntilNanos());
    assertEquals(List.of("n1", "n2", "n3"), n1.core().conf().voters());
  }
}
