package leasekv.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import leasekv.raft.testing.ManualClock;
import leasekv.raft.testing.MemoryLogStorage;
import leasekv.raft.testing.RaftGroup;
import leasekv.raft.testing.TestNode;
import org.junit.jupiter.api.Test;

/** Log compaction and InstallSnapshot. */
class SnapshotTest {

  @Test
  void aFollowerBehindTheCompactionPointGetsASnapshotThenEntries() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.isolate("n3");
    for (int i = 0; i < 10; i++) g.propose("n1", "v" + i);
    n1.compact(n1.appliedIndex() - 2);
    g.node("n2").compact(g.node("n2").appliedIndex());
    g.clearSentMessages();
    g.heal();
    g.tickAll(6);
    Message snap = g.sentMessages().stream().filter(m -> m.type() == MessageType.INSTALL_SNAPSHOT).findFirst().orElseThrow();
    assertEquals(Lane.SNAPSHOT, snap.lane());
    assertEquals("n3", snap.to());
    assertEquals(n1.appliedIndex() - 2, snap.snapshot().index());
    assertEquals(n1.appliedData(), g.node("n3").appliedData(), "the snapshot plus the entries after it");
    assertEquals(snap.snapshot(), g.node("n3").storage().snapshot());
    g.propose("n1", "later");
    g.tickAll(2);
    assertEquals(n1.appliedData(), g.node("n3").appliedData());
    g.assertSafe();
  }

  @Test
  void aFailedSnapshotTransferIsRetried() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.isolate("n3");
    for (int i = 0; i < 5; i++) g.propose("n1", "v" + i);
    n1.compact(n1.appliedIndex());
    g.heal();
    g.dropMessagesTo("n3"); // the node's stream fails: it reports failure
    g.tickAll(3);
    g.heal();
    g.tickAll(12);
    assertEquals(n1.appliedData(), g.node("n3").appliedData());
  }

  @Test
  void aNodeRestartsFromAnInstalledSnapshot() {
    RaftGroup g = RaftGroup.of("n1", "n2", "n3");
    TestNode n1 = g.electLeader("n1");
    g.isolate("n3");
    for (int i = 0; i < 5; i++) g.propose("n1", "v" + i);
    n1.compact(n1.appliedIndex());
    g.heal();
    g.tickAll(4);
    g.crash("n3");
    g.restart("n3");
    assertEquals(n1.core().status().commitIndex(), g.core("n3").status().appliedIndex());
    g.propose("n1", "w");
    g.tickAll(2);
    assertEquals(n1.appliedData(), g.node("n3").appliedData());
  }

  @Test
  void compactingPastTheAppliedIndexIsRefused() {
    RaftGroup g = RaftGroup.of("n1");
    g.tickAll(25);
    RaftCore core = g.core("n1");
    long applied = core.status().appliedIndex();
    assertThrows(IllegalArgumentException.class, () -> core.onLogCompacted(applied + 1));
  }

  @Test
  void inconsistentStorageAndStateMachineAreRefusedAtStart() {
    MemoryLogStorage s = new MemoryLogStorage();
    s.append(java.util.List.of(new Entry(1, 1, EntryType.CONFIG, ConfState.of(java.util.List.of("n1")).encode()),
        Entry.noop(2, 2), Entry.noop(2, 3)));
    s.setHardState(new HardState(2, "n1", 3));
    s.compact(2);
    ManualClock clock = new ManualClock(1);
    IllegalStateException behind = assertThrows(IllegalStateException.class,
        () -> new RaftCore(RaftConfig.builder("n1").appliedIndex(1).build(), s, clock, new Random(1)));
    assertTrue(behind.getMessage().contains("below the log's compaction point 2"), behind.getMessage());
    IllegalStateException ahead = assertThrows(IllegalStateException.class,
        () -> new RaftCore(RaftConfig.builder("n1").appliedIndex(9).build(), s, clock, new Random(1)));
    assertTrue(ahead.getMessage().contains("past the log's last index 3"), ahead.getMessage());
    RaftCore ok = new RaftCore(RaftConfig.builder("n1").appliedIndex(2).build(), s, clock, new Random(1));
    assertEquals(3, ok.status().commitIndex());
    Ready r = ok.ready();
    assertEquals(1, r.committedEntries().size(), "replays (applied, commit] = entry 3");
    assertEquals(3, r.committedEntries().get(0).index());
  }
}
