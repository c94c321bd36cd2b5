package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import leasekv.fsm.ApplyResult;
import leasekv.raft.ConfChange;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.Role;
import leasekv.replica.ReplicaException.Refusal;
import org.junit.jupiter.api.Test;

/** The replica's answers to writes, membership changes, transfers and admin requests. */
class ReplicaRequestsTest {
  @Test
  void aFollowerRefusesWritesMembershipChangesAndTransfersNamingTheLeader() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.receive(ReplicaFixture.appendFromN2(2, 1, 1, List.of(), 1));
    for (CompletableFuture<?> refused : List.of(f.replica.propose(ReplicaFixture.set("k", "v")),
        f.replica.proposeConfChange(ConfChange.addVoter("n4")), f.replica.transferLeadership("n3", 1_000))) {
      ReplicaException e = ReplicaFixture.refusal(refused);
      assertEquals(Refusal.NOT_LEADER, e.refusal());
      assertEquals("n2", e.leaderId());
    }
  }

  @Test
  void aWriteIsAnsweredWithItsResultOnceApplied() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    CompletableFuture<ApplyResult> w = f.write(ReplicaFixture.set("k", "v"));
    assertEquals(ApplyResult.OK, ReplicaFixture.done(w));
  }

  @Test
  void anInvalidMembershipChangeIsRefusedAsInvalid() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    ReplicaException e = ReplicaFixture.refusal(f.replica.proposeConfChange(ConfChange.removeVoter("n9")));
    assertEquals(Refusal.INVALID, e.refusal());
    ReplicaFixture follower = new ReplicaFixture(UnsafeModes.NONE);
    ReplicaException early = ReplicaFixture.refusal(follower.replica.proposeConfChange(ConfChange.addVoter("n4")));
    assertEquals(Refusal.NOT_LEADER, early.refusal());
  }

  @Test
  void aMembershipChangeCompletesOnceApplied() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    Message n3first = f.sent(MessageType.APPEND).stream().filter(m -> m.to().equals("n3")).reduce((a, b) -> b).orElseThrow();
    f.receive(ReplicaFixture.ack(n3first)); // n3 catches up too
    f.clear();
    CompletableFuture<ApplyResult> change = f.replica.proposeConfChange(ConfChange.addVoter("n4"));
    f.runInbox();
    f.tick(1); // a timer run before it commits: its deadline is a request timeout away
    for (String peer : List.of("n2", "n3")) { // four voters from the moment it is appended: a quorum is three
      Message append = f.sent(MessageType.APPEND).stream().filter(m -> m.to().equals(peer)).reduce((a, b) -> b).orElseThrow();
      f.receive(ReplicaFixture.ack(append));
    }
    assertEquals(ApplyResult.NONE, ReplicaFixture.done(change));
    assertEquals(List.of("n1", "n2", "n3", "n4"), f.replica.conf().voters());
  }

  @Test
  void aTransferCompletesWhenTheTargetLeadsAndTimesOutOtherwise() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    long term = f.replica.status().term();
    CompletableFuture<Void> toN2 = f.replica.transferLeadership("n2", 10 * ReplicaFixture.TICK_NANOS);
    f.runInbox();
    assertFalse(toN2.isDone());
    f.receive(ReplicaFixture.appendFromN2(term + 1, 1, 1, List.of(), 1)); // n2 won: it leads the next term
    assertTrue(toN2.isDone() && !toN2.isCompletedExceptionally());
    assertNull(ReplicaFixture.done(toN2));
    assertEquals(Role.FOLLOWER, f.replica.status().role());

    ReplicaFixture g = new ReplicaFixture(UnsafeModes.NONE);
    g.electAndCommit();
    g.disconnected.add("n3");
    CompletableFuture<Void> toN3 = g.replica.transferLeadership("n3", 5 * ReplicaFixture.TICK_NANOS);
    g.tick(4);
    assertFalse(toN3.isDone());
    g.tick(1);
    ReplicaException e = ReplicaFixture.refusal(toN3);
    assertEquals(Refusal.TIMEOUT, e.refusal());
    assertTrue(e.getMessage().startsWith("leadership did not move to n3 in time"), e.getMessage());
  }

  @Test
  void losingLeadershipLeavesPendingWritesUncertain() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    CompletableFuture<ApplyResult> pending = f.replica.propose(ReplicaFixture.set("k", "v"));
    f.runInbox();
    f.receive(ReplicaFixture.appendFromN2(f.replica.status().term() + 1, 1, 1, List.of(), 1));
    assertEquals(Refusal.UNCERTAIN, ReplicaFixture.refusal(pending).refusal());
  }

  @Test
  void aWriteNotCommittedInTimeTimesOut() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    f.clear();
    CompletableFuture<ApplyResult> pending = f.replica.propose(ReplicaFixture.set("k", "v"));
    f.runInbox();
    for (int i = 0; i < 101; i++) { // n2 answers heartbeats (the leader keeps its quorum) but no append
      if (i == 99) assertFalse(pending.isDone(), "990 ms of the 1 s timeout");
      f.tick(1);
      for (Message hb : f.sent(MessageType.HEARTBEAT)) {
        if (hb.to().equals("n2")) f.receive(new Message(MessageType.HEARTBEAT_RESPONSE, "n2", "n1", hb.term(), 0, 0,
            List.of(), 0, false, 0, null, hb.seq(), false));
      }
      f.clear();
    }
    assertEquals(Role.LEADER, f.replica.status().role());
    assertEquals(Refusal.TIMEOUT, ReplicaFixture.refusal(pending).refusal());
  }

  private static long appendsToN2AfterARefusedOne(boolean refuse) throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    if (refuse) f.fullQueues.add("n2");
    f.replica.propose(ReplicaFixture.set("k", "1"));
    f.runInbox();
    f.fullQueues.clear();
    f.replica.propose(ReplicaFixture.set("k", "2")); // a probe, if n2 was reported unreachable
    f.runInbox();
    f.clear();
    f.replica.propose(ReplicaFixture.set("k", "3"));
    f.runInbox();
    return f.sent(MessageType.APPEND).stream().filter(m -> m.to().equals("n2")).count();
  }

  @Test
  void aFullReplicationQueueMakesTheLeaderProbeInsteadOfStream() throws Exception {
    assertEquals(1, appendsToN2AfterARefusedOne(false), "streamed: every entry at once");
    assertEquals(0, appendsToN2AfterARefusedOne(true), "probed: nothing more until n2 answers");
  }

  @Test
  void noTicksUntilTheControlLanesReachAQuorum() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.disconnected.add("n2");
    f.disconnected.add("n3");
    f.tick(10 * ReplicaFixture.ELECTION_TICKS);
    assertTrue(f.sent.isEmpty(), "never campaigned");
    f.disconnected.remove("n3");
    f.tick(3 * ReplicaFixture.ELECTION_TICKS);
    assertFalse(f.sent.isEmpty(), "with n3 it reaches two of three and campaigns");
  }

  @Test
  void aMalformedMessageIsDroppedNotThrown() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.receive(new Message(MessageType.HEARTBEAT, "n2", "n7", 3, 0, 0, List.of(), 0, false, 0, null, 0, false));
    assertEquals(1, f.replica.status().term(), "not stepped");
  }

  @Test
  void theDigestIsTheStateMachinesAndCompactionWaitsForReplay() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    assertEquals(f.fsm.digest(), ReplicaFixture.done(f.replica.digest()));
    assertEquals("n1", f.replica.id());
    assertEquals(f.replica.reads().published(), f.replica.leaseState());
    assertTrue(f.replica.serving());
    assertEquals(0, f.replica.replayTarget());
  }

  @Test
  void aLeaderThatLosesItsQuorumStepsDownAndLeavesPendingWritesUncertain() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    long term = f.replica.status().term();
    CompletableFuture<ApplyResult> pending = f.replica.propose(ReplicaFixture.set("k", "v"));
    f.runInbox();
    f.tick(3 * ReplicaFixture.ELECTION_TICKS); // nobody answers: check-quorum
    assertEquals(Role.FOLLOWER, f.replica.status().role());
    assertEquals(term, f.replica.status().term(), "stepped down in its own term");
    assertEquals(Refusal.UNCERTAIN, ReplicaFixture.refusal(pending).refusal());
  }

  @Test
  void aReadThatFindsTheInboxFullIsRefusedBusy() throws Exception {
    ReplicaFixture f = new ReplicaFixture(ReadPolicy.READ_INDEX);
    f.electAndCommit();
    f.inboxFull = true;
    ReplicaException e = ReplicaFixture.refusal(f.replica.reads().read(view -> 1));
    assertEquals(Refusal.BUSY, e.refusal());
  }
}
