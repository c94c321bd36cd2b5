package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import leasekv.fsm.Checkpoint;
import leasekv.fsm.StateMachine;
import leasekv.fsm.SyncMode;
import leasekv.fsm.testing.MemoryEngine;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;
import leasekv.replica.ReplicaException.Refusal;
import org.junit.jupiter.api.Test;

/** A restarted replica (durability rule D6): nothing is served until the committed log is replayed. */
class RestartTest {
  private static final ConfState PEERS = new ConfState(List.of("n1", "n2", "n3"));

  /** A log of 10 committed entries (the bootstrap CONFIG entry, then NOOPs of term 2) the state machine lost. */
  private static void committedLog(MemoryLogStore log, StateMachine fsm) {
    List<Entry> entries = new ArrayList<>();
    entries.add(new Entry(1, 1, EntryType.CONFIG, PEERS.encode()));
    for (long i = 2; i <= 10; i++) entries.add(Entry.noop(2, i));
    log.storage.append(entries);
    log.storage.setHardState(new HardState(2, "n2", 10));
  }

  @Test
  void nothingIsServedUntilTheCommittedLogIsReplayed() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE, ReadPolicy.LEASE, 1_000, 0, true, RestartTest::committedLog);
    assertEquals(10, f.replica.replayTarget());
    assertFalse(f.replica.serving());
    assertFalse(f.replica.reads().serving());
    assertEquals(Refusal.NOT_READY, ReplicaFixture.refusal(f.replica.propose(ReplicaFixture.set("k", "v"))).refusal());
    assertEquals(Refusal.NOT_READY, ReplicaFixture.refusal(f.replica.reads().read(view -> 1)).refusal());
    assertEquals(Refusal.NOT_READY, ReplicaFixture.refusal(f.replica.compactNow()).refusal());
    f.runLane();
    assertEquals(10, f.replica.appliedIndex());
    assertTrue(f.replica.serving(), "replayed through the commit index");
  }

  @Test
  void aStateMachineAlreadyAtTheCommitIndexServesAtOnce() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE, ReadPolicy.LEASE, 1_000, 0, true, (log, fsm) -> {
      committedLog(log, fsm);
      fsm.apply(log.storage.allEntries());
    });
    assertTrue(f.replica.serving());
    assertEquals(10, f.replica.appliedIndex());
  }

  @Test
  void aRestartAfterAnInterruptedSnapshotInstallFinishesIt() throws Exception {
    ReplicaFixture f = new ReplicaFixture(UnsafeModes.NONE, ReadPolicy.LEASE, 1_000, 0, false, (log, fsm) -> {
      StateMachine leader = StateMachine.open(new MemoryEngine(), SyncMode.NOSYNC, false);
      List<Entry> entries = new ArrayList<>();
      for (long i = 1; i <= 20; i++) entries.add(Entry.noop(3, i));
      leader.apply(entries);
      Checkpoint checkpoint = leader.createCheckpoint(PEERS);
      fsm.restoreFromCheckpoint(checkpoint); // the crash came before the log's reset
    });
    assertEquals(new SnapshotMeta(20, 3, PEERS), f.log.snapshot());
    assertEquals(20, f.replica.appliedIndex());
    assertTrue(f.replica.serving());
  }
}
