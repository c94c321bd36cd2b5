package leasekv.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import leasekv.fsm.Checkpoint;
import leasekv.fsm.StateMachine;
import leasekv.fsm.SyncMode;
import leasekv.fsm.testing.MemoryEngine;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;
import leasekv.replica.UnsafeModes.Mode;
import org.junit.jupiter.api.Test;

/** Restart reconciliation of the log and the state machine (durability rule D6). */
class RecoveryTest {
  static final ConfState PEERS = new ConfState(List.of("n1", "n2", "n3"));

  private final MemoryLogStore log = new MemoryLogStore();

  static StateMachine stateMachine() throws Exception {
    return StateMachine.open(new MemoryEngine(), SyncMode.NOSYNC, false);
  }

  static List<Entry> noops(long term, long from, long to) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) out.add(Entry.noop(term, i));
    return out;
  }

  @Test
  void aStateMachineWithinTheLogIsLeftAsItIs() throws Exception {
    log.append(noops(1, 1, 10));
    log.storage.compact(3);
    for (long applied : new long[] {3, 7, 10}) {
      StateMachine fsm = stateMachine();
      fsm.apply(noops(1, 1, applied));
      log.calls.clear();
      Recovery.reconcile(log, fsm, UnsafeModes.NONE);
      assertEquals(applied, fsm.appliedIndex());
      assertEquals(List.of(), log.calls, "applied " + applied + ": nothing to repair");
    }
  }

  @Test
  void aStateMachineBehindTheCompactedLogIsRefusedNamingTheLostEntries() throws Exception {
    log.append(noops(1, 1, 10));
    log.storage.compact(6);
    StateMachine fsm = stateMachine();
    fsm.apply(noops(1, 1, 4));
    StateCorruptionException e = assertThrows(StateCorruptionException.class,
        () -> Recovery.reconcile(log, fsm, UnsafeModes.NONE));
    assertEquals("the state machine has applied through 4 but the log was compacted through 6: entries 5..6 are gone",
        e.getMessage());
  }

  @Test
  void unsafeCompactPastDurableAppliedSkipsTheLostEntries() throws Exception {
    log.append(noops(2, 1, 10));
    log.storage.compact(6);
    StateMachine fsm = stateMachine();
    fsm.apply(noops(1, 1, 4));
    Recovery.reconcile(log, fsm, UnsafeModes.of(Mode.COMPACT_PAST_DURABLE_APPLIED));
    assertEquals(6, fsm.appliedIndex());
    assertEquals(2, fsm.appliedTerm(), "marked applied with the snapshot point's term");
  }

  @Test
  void aStateMachineAheadOfTheLogAtAnInstalledCheckpointFinishesTheInstall() throws Exception {
    StateMachine leader = stateMachine();
    leader.apply(noops(3, 1, 20));
    Checkpoint checkpoint = leader.createCheckpoint(PEERS);
    StateMachine fsm = stateMachine();
    fsm.restoreFromCheckpoint(checkpoint); // the crash came before the log's reset
    log.append(noops(1, 1, 5));
    Recovery.reconcile(log, fsm, UnsafeModes.NONE);
    assertEquals(List.of("append 1..5", "install snapshot 20 (state machine at -1)"), log.calls);
    assertEquals(new SnapshotMeta(20, 3, PEERS), log.snapshot());
  }

  @Test
  void aStateMachineAheadOfTheLogElsewhereMeansTheLogLostAcknowledgedEntries() throws Exception {
    StateMachine leader = stateMachine();
    leader.apply(noops(3, 1, 20));
    StateMachine restored = stateMachine();
    restored.restoreFromCheckpoint(leader.createCheckpoint(PEERS));
    restored.apply(noops(3, 21, 22)); // applied past the checkpoint: not an interrupted install
    log.append(noops(3, 1, 5));
    StateCorruptionException e = assertThrows(StateCorruptionException.class,
        () -> Recovery.reconcile(log, restored, UnsafeModes.NONE));
    assertEquals("the state machine has applied through 22 but the log ends at 5: the log lost entries it had acknowledged",
        e.getMessage());
    StateMachine neverRestored = stateMachine();
    neverRestored.apply(noops(3, 1, 6));
    assertThrows(StateCorruptionException.class, () -> Recovery.reconcile(log, neverRestored, UnsafeModes.NONE));
  }

  @Test
  void unsafeWalNoFsyncCarriesOnFromTheStateMachine() throws Exception {
    StateMachine fsm = stateMachine();
    fsm.apply(noops(4, 1, 9));
    log.append(noops(4, 1, 5));
    Recovery.reconcile(log, fsm, UnsafeModes.of(Mode.WAL_NO_FSYNC));
    assertEquals(new SnapshotMeta(9, 4, log.storage.confAt(0)), log.snapshot());
    assertEquals(List.of("append 1..5", "install snapshot 9 (state machine at -1)"), log.calls);
    StateMachine withConf = stateMachine();
    withConf.apply(List.of(new Entry(4, 1, leasekv.raft.EntryType.CONFIG, PEERS.encode()), Entry.noop(4, 2)));
    MemoryLogStore empty = new MemoryLogStore();
    Recovery.reconcile(empty, withConf, UnsafeModes.of(Mode.WAL_NO_FSYNC));
    assertEquals(new SnapshotMeta(2, 4, PEERS), empty.snapshot(), "the state machine's membership, not the empty log's");
  }

  @Test
  void unsafeSkipReplayMarksTheCommittedEntriesAppliedWithoutApplyingThem() throws Exception {
    log.append(noops(1, 1, 3));
    log.append(List.of(Entry.noop(2, 4), Entry.noop(2, 5), Entry.noop(2, 6)));
    log.setHardState(new HardState(2, "n1", 5));
    StateMachine fsm = stateMachine();
    fsm.apply(noops(1, 1, 2));
    Recovery.reconcile(log, fsm, UnsafeModes.of(Mode.SKIP_REPLAY));
    assertEquals(5, fsm.appliedIndex(), "up to the commit index, not the last index");
    assertEquals(2, fsm.appliedTerm(), "with the log's terms");
    StateMachine safe = stateMachine();
    safe.apply(noops(1, 1, 2));
    Recovery.reconcile(log, safe, UnsafeModes.NONE);
    assertEquals(2, safe.appliedIndex(), "a safe store replays them instead");
  }

  @Test
  void unsafeSkipReplaySkipsFromTheSnapshotPointToo() throws Exception {
    log.append(noops(1, 1, 8));
    log.storage.compact(5);
    log.setHardState(new HardState(1, "n1", 8));
    StateMachine fsm = stateMachine();
    fsm.apply(noops(1, 1, 5));
    Recovery.reconcile(log, fsm, UnsafeModes.of(Mode.SKIP_REPLAY));
    assertEquals(8, fsm.appliedIndex());
  }

  @Test
  void unsafeSkipReplayHasNothingToSkipAtOrPastTheCommitIndex() throws Exception {
    log.append(noops(1, 1, 6));
    log.setHardState(new HardState(1, "n1", 4));
    StateMachine fsm = stateMachine();
    fsm.apply(noops(1, 1, 4));
    Recovery.reconcile(log, fsm, UnsafeModes.of(Mode.SKIP_REPLAY));
    assertEquals(4, fsm.appliedIndex());
    log.setHardState(new HardState(1, "n1", 9)); // a commit index past the log's end counts only to its end
    Recovery.reconcile(log, fsm, UnsafeModes.of(Mode.SKIP_REPLAY));
    assertEquals(6, fsm.appliedIndex());
    assertTrue(log.lastIndex() == 6);
  }
}
