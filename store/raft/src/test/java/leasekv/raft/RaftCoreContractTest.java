package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import leasekv.raft.testing.ManualClock;
import leasekv.raft.testing.MemoryLogStorage;
import leasekv.raft.testing.RaftGroup;
import leasekv.raft.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** What the core refuses from its driver, and what it promises at start. */
class RaftCoreContractTest {
  private static RaftCore core(MemoryLogStorage storage, long applied) {
    return new RaftCore(RaftGroup.testConfig("n1").initialVoters(List.of("n1", "n2", "n3")).appliedIndex(applied).build(),
        storage, new ManualClock(0), new Random(1));
  }

  private static void assertNotLeader(Executable call) {
    ProposalRejectedException e = assertThrows(ProposalRejectedException.class, call);
    assertEquals(ProposalRejectedException.Reason.NOT_LEADER, e.reason());
  }

  @Test
  void aBrandNewCoreStartsWithItsBootstrapEntryCommitted() {
    RaftCore c = core(new MemoryLogStorage(), 0);
    assertEquals(1, c.status().commitIndex());
    assertEquals(1, c.term());
    assertEquals("n1", c.id());
  }

  @Test
  void aPersistedCommitPastTheLogIsRefusedAtStart() {
    MemoryLogStorage storage = new MemoryLogStorage();
    storage.append(List.of(new Entry(1, 1, EntryType.CONFIG, new ConfState(List.of("n1", "n2", "n3")).encode())));
    storage.setHardState(new HardState(1, null, 2));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> core(storage, 0));
    assertTrue(e.getMessage().startsWith("persisted commit index 2 is past the log's last index 1"), e.getMessage());
    storage.setHardState(new HardState(1, null, 1));
    assertEquals(1, core(storage, 0).status().commitIndex(), "the persisted commit index is restored");
  }

  @Test
  void messagesNotForThisCoreOrFromItselfAreRefused() {
    RaftCore c = core(new MemoryLogStorage(), 0);
    Message toN2 = new Message(MessageType.HEARTBEAT, "n3", "n2", 5, 0, 0, List.of(), 0, false, 0, null, 0, false);
    assertThrows(IllegalArgumentException.class, () -> c.step(toN2));
    Message fromSelf = new Message(MessageType.HEARTBEAT, "n1", "n1", 5, 0, 0, List.of(), 0, false, 0, null, 0, false);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.step(fromSelf));
    assertTrue(e.getMessage().startsWith("message from n1 to itself"), e.getMessage());
    assertEquals(1, c.term(), "neither moved the term");
  }

  @Test
  void aReadyMustBeAdvancedBeforeTheNextAndWithItself() {
    RaftCore c = core(new MemoryLogStorage(), 0);
    assertTrue(c.hasReady());
    Ready r = c.ready();
    assertFalse(c.hasReady(), "nothing while a Ready is outstanding");
    assertThrows(IllegalStateException.class, c::ready);
    Ready other = new Ready(r.leaseState(), r.hardState(), r.entries(), r.snapshot(), r.committedEntries(), r.messages(),
        r.readStates(), r.abortedReadRequests(), r.mustSync());
    assertThrows(IllegalStateException.class, () -> c.advance(other));
    c.advance(r);
  }

  @Test
  void aFollowerRefusesEveryLeaderOnlyRequest() {
    RaftCore c = core(new MemoryLogStorage(), 0);
    assertNotLeader(() -> c.propose(new byte[0]));
    assertNotLeader(() -> c.proposeConfChange(ConfChange.addVoter("n4")));
    assertNotLeader(() -> c.readIndex(1));
    assertNotLeader(() -> c.transferLeadership("n2"));
    c.reportSnapshot("n2", true); // a leader's reports: ignored by a follower
    c.reportUnreachable("n2");
  }

  @Test
  void compactionIsRefusedPastTheAppliedIndexOrPastTheStoragesSnapshot() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode leader = g.electLeader("n1");
    for (int i = 0; i < 4; i++) g.propose("n1", "v" + i);
    long applied = leader.core().status().appliedIndex();
    IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
        () -> leader.core().onLogCompacted(applied + 1));
    assertTrue(past.getMessage().contains("past the applied index"), past.getMessage());
    IllegalArgumentException notInStorage = assertThrows(IllegalArgumentException.class,
        () -> leader.core().onLogCompacted(applied));
    assertTrue(notInStorage.getMessage().contains("but the storage's snapshot is at 0"), notInStorage.getMessage());
    leader.compact(applied);
    assertEquals(applied + 1, leader.core().status().firstIndex());
  }

  @Test
  void aMembershipChangeProposalSaysWhereItLanded() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode leader = g.electLeader("n1");
    EntryId at = leader.core().proposeConfChange(ConfChange.addVoter("n4"));
    assertNotNull(at);
    assertEquals(leader.core().status().lastIndex(), at.index());
    assertEquals(leader.term(), at.term());
  }
}
