package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import leasekv.raft.testing.RaftGroup;
import leasekv.raft.testing.TestNode;
import org.junit.jupiter.api.Test;

/** ReadIndex: the fallback when the lease is not valid. */
class ReadIndexTest {

  @Test
  void aReadIsConfirmedOnlyAfterAQuorumAcksARoundSentAfterIt() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.propose("n1", "a");
    long commit = n1.core().status().commitIndex();
    g.holdMessages(m -> m.type() == MessageType.HEARTBEAT_RESPONSE);
    n1.core().readIndex(7);
    g.deliverAll();
    assertNull(n1.readIndexResult(7), "no quorum has confirmed leadership after the request yet");
    g.releaseHeld();
    assertEquals(commit, n1.readIndexResult(7));
  }

  @Test
  void anAckOfARoundSentBeforeTheRequestDoesNotConfirmIt() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.holdMessages(m -> m.type() == MessageType.HEARTBEAT_RESPONSE);
    g.tick("n1", 2); // an ordinary heartbeat round, its replies held
    long oldRound = g.heldMessages().get(0).seq();
    n1.core().readIndex(1);
    g.deliverAll();
    g.releaseHeld(m -> m.seq() == oldRound);
    assertNull(n1.readIndexResult(1), "those acks could predate a rival leader's election");
    g.releaseHeld();
    assertTrue(n1.readIndexResult(1) != null);
  }

  @Test
  void readsInOneLoopIterationShareOneRound() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.clearSentMessages();
    for (long id = 1; id <= 5; id++) n1.core().readIndex(id);
    g.deliverAll();
    assertEquals(2, g.sentMessages().stream().filter(m -> m.type() == MessageType.HEARTBEAT).count(),
        "one heartbeat per follower for all five reads");
    for (long id = 1; id <= 5; id++) assertTrue(n1.readIndexResult(id) != null);
  }

  @Test
  void aNewLeaderHoldsReadsUntilItCommitsInItsTerm() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.propose("n1", "a");
    g.crash("n1");
    g.silence();
    g.holdMessages(m -> m.type() == MessageType.APPEND_RESPONSE);
    TestNode n2 = g.electLeader("n2");
    n2.core().readIndex(9);
    g.tickAll(4); // heartbeat rounds are acked, but the no-op is not
    assertNull(n2.readIndexResult(9));
    g.releaseHeld();
    g.tickAll(2);
    Long index = n2.readIndexResult(9);
    assertTrue(index != null && index >= n2.core().status().commitIndex() - 0 && index >= 4,
        "read index covers the own-term no-op: " + index);
  }

  @Test
  void aSingleVoterConfirmsReadsAtOnce() {
    RaftGroup g = RaftGroup.of("n1");
    g.tickAll(25);
    TestNode n1 = g.node("n1");
    n1.core().readIndex(3);
    n1.drain();
    assertEquals(n1.core().status().commitIndex(), n1.readIndexResult(3));
  }

  @Test
  void readIndexOnAFollowerOrDuringATransferIsRefusedAtOnce() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    ProposalRejectedException notLeader = assertThrows(ProposalRejectedException.class, () -> g.core("n2").readIndex(1));
    assertEquals(ProposalRejectedException.Reason.NOT_LEADER, notLeader.reason());
    assertEquals("n1", notLeader.leaderId());
    g.holdMessages(m -> m.type() == MessageType.TIMEOUT_NOW);
    g.core("n1").transferLeadership("n3");
    ProposalRejectedException busy = assertThrows(ProposalRejectedException.class, () -> g.core("n1").readIndex(2));
    assertEquals(ProposalRejectedException.Reason.TRANSFER_IN_PROGRESS, busy.reason());
  }

  @Test
  void pendingReadsFailWhenTheLeaderStepsDown() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.isolate("n1");
    n1.core().readIndex(4);
    n1.core().readIndex(5);
    g.tick("n1", 25); // check-quorum deposes n1
    assertEquals(Role.FOLLOWER, n1.role());
    assertEquals(List.of(4L, 5L), n1.abortedReads());
    assertNull(n1.readIndexResult(4));
  }
}
