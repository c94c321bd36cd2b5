package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import leasekv.raft.testing.RaftGroup;
import leasekv.raft.testing.TestNode;
import org.junit.jupiter.api.Test;

/** Leadership transfer with TimeoutNow. */
class TransferTest {

  @Test
  void aLaggingTargetIsBroughtUpToDateBeforeTimeoutNow() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    g.dropMessagesTo("n3");
    for (int i = 0; i < 3; i++) g.propose("n1", "v" + i);
    g.heal();
    g.clearSentMessages();
    g.core("n1").transferLeadership("n3");
    g.deliverAll();
    Message timeoutNow = g.sentMessages().stream().filter(m -> m.type() == MessageType.TIMEOUT_NOW).findFirst().orElseThrow();
    assertTrue(g.sentMessages().indexOf(timeoutNow) > g.sentMessages().stream()
        .filter(m -> m.type() == MessageType.APPEND_RESPONSE && m.from().equals("n3")).map(g.sentMessages()::indexOf)
        .min(Integer::compare).orElseThrow(), "TimeoutNow only after n3 acknowledged the missing entries");
    assertTrue(g.node("n3").isLeader());
    assertEquals(g.node("n1").appliedData(), g.node("n3").appliedData().subList(0, 3));
    g.assertSafe();
  }

  @Test
  void aTransferThatDoesNotCompleteTimesOutAndTheLeaderResumes() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.isolate("n3");
    n1.core().transferLeadership("n3");
    g.deliverAll();
    assertEquals("n3", n1.core().status().transferTarget());
    g.tickAll(10);
    assertEquals(null, n1.core().status().transferTarget(), "aborted after transferTimeoutTicks");
    assertTrue(n1.isLeader());
    g.propose("n1", "after");
    g.tickAll(2);
    assertTrue(n1.canServeLeaseRead());
  }

  @Test
  void transferRequestsAreValidated() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    g.electLeader("n1");
    ProposalRejectedException notVoter = assertThrows(ProposalRejectedException.class, () -> g.core("n1").transferLeadership("n7"));
    assertEquals(ProposalRejectedException.Reason.INVALID_CONF_CHANGE, notVoter.reason());
    ProposalRejectedException notLeader = assertThrows(ProposalRejectedException.class, () -> g.core("n2").transferLeadership("n3"));
    assertEquals(ProposalRejectedException.Reason.NOT_LEADER, notLeader.reason());
    g.core("n1").transferLeadership("n1"); // to ourselves: nothing to do
    assertEquals(null, g.core("n1").status().transferTarget());
  }

  @Test
  void askingAgainForTheSameTargetDoesNotRestartTheTransfersTimeout() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.isolate("n3");
    n1.core().transferLeadership("n3");
    g.tickAll(6);
    n1.core().transferLeadership("n3");
    g.tickAll(4);
    assertEquals(null, n1.core().status().transferTarget(), "aborted 10 ticks after the first request");
  }

  @Test
  void aTransferToAnotherTargetAbortsTheFirstAndStartsAFreshRound() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.isolate("n3");
    n1.core().transferLeadership("n3");
    g.deliverAll();
    long firstTransferRound = n1.core().status().transferTarget() == null ? -1 : g.sentMessages().stream()
        .filter(m -> m.from().equals("n1")).mapToLong(Message::seq).max().orElseThrow();
    g.heal();
    g.clearSentMessages();
    g.dropMessagesTo("n2"); // keep the TimeoutNow from taking effect: only its round matters here
    n1.core().transferLeadership("n2");
    g.deliverAll();
    Message timeoutNow = g.sentMessages().stream().filter(m -> m.type() == MessageType.TIMEOUT_NOW).findFirst().orElseThrow();
    assertEquals("n2", timeoutNow.to());
    assertEquals(firstTransferRound + 1, timeoutNow.seq(), "the first transfer was aborted before the second began");
  }
}
