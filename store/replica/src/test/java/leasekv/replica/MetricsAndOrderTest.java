package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import leasekv.raft.LeaseState;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import org.junit.jupiter.api.Test;

/** What the replica reports to its metrics, and that a transfer's lease drop is published before TimeoutNow leaves (L7). */
class MetricsAndOrderTest {
  @Test
  void theLeaseDropIsPublishedBeforeTimeoutNowLeaves() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit(); // n2 is caught up: TimeoutNow goes at once
    assertTrue(f.replica.leaseState().canServeLeaseRead(f.clock.nanoTime()), "a lease before the transfer");
    f.clear();
    f.publishedAtSend.clear();
    f.replica.transferLeadership("n2", 1_000_000_000L);
    f.runInbox();
    int at = f.sent.indexOf(f.sent(MessageType.TIMEOUT_NOW).get(0));
    LeaseState whenSent = f.publishedAtSend.get(at);
    assertFalse(whenSent.canServeLeaseRead(f.clock.nanoTime()), "readers saw no lease when TimeoutNow left");
  }

  @Test
  void readsWritesAndLeadershipAreCounted() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    assertTrue(f.metrics.contains("leader changed"));
    assertTrue(f.metrics.contains("published LEADER"));
    f.metrics.clear();
    f.write(ReplicaFixture.set("k", "v"));
    assertTrue(f.metrics.contains("apply batch 1 in 0 ns"), f.metrics.toString()); // the clock did not move
    f.metrics.clear();
    ReplicaFixture.done(f.replica.reads().read(view -> 1));
    assertEquals(List.of("lease read hit"), f.metrics);
    f.clock.advance(f.replica.leaseNanos());
    f.metrics.clear();
    f.replica.reads().read(view -> 1);
    assertEquals(List.of("lease read miss", "read index round"), f.metrics);
  }

  @Test
  void timedOutWritesAreCountedOnlyWhenThereAreAny() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE);
    f.electAndCommit();
    f.replica.propose(ReplicaFixture.set("k", "1"));
    f.replica.propose(ReplicaFixture.set("k", "2"));
    f.runInbox();
    f.metrics.clear();
    for (int i = 0; i < 101; i++) {
      f.tick(1);
      for (Message hb : f.sent(MessageType.HEARTBEAT)) {
        if (hb.to().equals("n2")) f.receive(new Message(MessageType.HEARTBEAT_RESPONSE, "n2", "n1", hb.term(), 0, 0,
            List.of(), 0, false, 0, null, hb.seq(), false));
      }
      f.clear();
    }
    assertEquals(List.of("timed out 2"), f.metrics.stream().filter(m -> m.startsWith("timed out")).toList());
  }
}
