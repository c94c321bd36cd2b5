package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import leasekv.raft.testing.ManualClock;
import leasekv.raft.testing.MemoryLogStorage;
import leasekv.raft.testing.RaftGroup;
import org.junit.jupiter.api.Test;

/** A leader (n1 of three, driven by hand) during a transfer and while a follower needs a snapshot. */
class LeaderRequestsTest {
  private final OneCore one = new OneCore("n1", "n2", "n3");
  private long term;

  /** n1 leads; n2 acknowledged the leader's first entry (2), so n2 is being streamed to. */
  private void lead() {
    term = one.lead();
  }

  @Test
  void duringATransferWritesAndReadIndexRequestsAreRefused() {
    lead();
    one.core.transferLeadership("n3"); // n3 is behind: the transfer waits for it
    ProposalRejectedException write = assertThrows(ProposalRejectedException.class, () -> one.core.propose(new byte[0]));
    assertEquals(ProposalRejectedException.Reason.TRANSFER_IN_PROGRESS, write.reason());
    ProposalRejectedException read = assertThrows(ProposalRejectedException.class, () -> one.core.readIndex(1));
    assertEquals(ProposalRejectedException.Reason.TRANSFER_IN_PROGRESS, read.reason());
  }

  @Test
  void aReadyWithoutAStateChangeCarriesNoHardState() {
    lead();
    one.core.propose(new byte[] {1});
    Ready r = one.core.ready();
    assertNull(r.hardState(), "term, vote and commit are as persisted");
    one.core.advance(r);
  }

  @Test
  void aFailedSnapshotTransferIsRetriedAfterTheNextHeartbeatAnswer() {
    lead();
    for (int i = 0; i < 3; i++) {
      one.core.propose(new byte[] {1});
      List<Message> out = one.drive();
      Message append = out.stream().filter(m -> m.type() == MessageType.APPEND && m.to().equals("n2")).findFirst().orElseThrow();
      long last = append.entries().get(append.entries().size() - 1).index();
      one.step(new Message(MessageType.APPEND_RESPONSE, "n2", "n1", term, 0, last, List.of(), 0, false, 0, null,
          append.seq(), false));
    }
    long applied = one.core.status().appliedIndex();
    one.storage.compact(applied);
    one.core.onLogCompacted(applied);
    // n3 answers for the first time: it has nothing after the bootstrap entry
    List<Message> out = one.step(new Message(MessageType.APPEND_RESPONSE, "n3", "n1", term, 0, 1, List.of(), 0, true, 1,
        null, 0, false));
    assertEquals(1, out.stream().filter(m -> m.type() == MessageType.INSTALL_SNAPSHOT).count(), out.toString());
    one.core.reportSnapshot("n3", false);
    one.drive();
    List<Message> hb = List.of();
    for (int i = 0; i < 5 && hb.stream().noneMatch(m -> m.type() == MessageType.HEARTBEAT); i++) {
      one.core.tick();
      hb = one.drive();
    }
    Message toN3 = hb.stream().filter(m -> m.type() == MessageType.HEARTBEAT && m.to().equals("n3")).findFirst().orElseThrow();
    List<Message> retry = one.step(new Message(MessageType.HEARTBEAT_RESPONSE, "n3", "n1", term, 0, 0, List.of(), 0, false,
        0, null, toN3.seq(), false));
    assertEquals(1, retry.stream().filter(m -> m.type() == MessageType.INSTALL_SNAPSHOT).count(), retry.toString());
  }

  @Test
  void aBrandNewNodesFirstElectionWaitsOnlyItsRandomizedPart() {
    int timeout = 10;
    Random slowest = new Random() {
      @Override
      public int nextInt(int bound) {
        return bound - 1; // the longest randomized timeout: 2 * timeout - 1 ticks
      }
    };
    RaftCore core = new RaftCore(RaftGroup.testConfig("n1").electionTimeoutTicks(timeout)
        .initialVoters(List.of("n1", "n2", "n3")).build(), new MemoryLogStorage(), new ManualClock(0), slowest);
    for (int i = 0; i < timeout - 1; i++) core.tick();
    assertEquals(Role.FOLLOWER, core.role(), "a new node starts one election timeout in, not further");
    core.tick();
    assertEquals(Role.PRE_CANDIDATE, core.role());
  }
}
