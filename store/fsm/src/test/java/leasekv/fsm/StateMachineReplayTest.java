package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.b;
import static leasekv.fsm.FsmTestSupport.cas;
import static leasekv.fsm.FsmTestSupport.entry;
import static leasekv.fsm.FsmTestSupport.s;
import static leasekv.fsm.FsmTestSupport.set;
import static leasekv.fsm.FsmTestSupport.workload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import leasekv.fsm.Command.ClientTag;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** De-duplication, replay idempotence and cross-replica determinism. */
class StateMachineReplayTest {
  @TempDir Path tmp;

  private static List<ApplyResult> applyInBatches(StateMachine fsm, List<Entry> entries, int batch) throws Exception {
    List<ApplyResult> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i += batch) out.addAll(fsm.apply(entries.subList(i, Math.min(entries.size(), i + batch))));
    return out;
  }

  @Test
  void retriedCasIsAppliedExactlyOnceEvenAcrossRestart() throws Exception {
    ClientTag tag = new ClientTag("client-1", 7);
    Path dir = tmp.resolve("fsm");
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      fsm.apply(List.of(entry(1, set("k", "a"))));
      assertEquals(ApplyResult.bool(true), fsm.apply(List.of(entry(2, cas(tag, "k", "a", "b")))).get(0));
      fsm.apply(List.of(entry(3, set("k", "a")))); // someone resets k
      // The client's retry of the same CAS (seq 7) is a new log entry: it must not swap again.
      assertEquals(ApplyResult.bool(true), fsm.apply(List.of(entry(4, cas(tag, "k", "a", "b")))).get(0));
      assertEquals("a", get(fsm, "k"));
    }
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      assertEquals(4, fsm.appliedIndex());
      assertEquals(ApplyResult.bool(true), fsm.apply(List.of(entry(5, cas(tag, "k", "a", "b")))).get(0));
      assertEquals("a", get(fsm, "k"));
      ApplyResult stale = fsm.apply(List.of(entry(6, cas(new ClientTag("client-1", 3), "k", "a", "z")))).get(0);
      assertEquals("ERR", stale.errorCode());
      assertEquals(ApplyResult.bool(true), fsm.apply(List.of(entry(7, cas(new ClientTag("client-1", 8), "k", "a", "c")))).get(0));
      assertEquals("c", get(fsm, "k"));
    }
  }

  @Test
  void applyingTheSameEntriesAgainAfterReopenChangesNothing() throws Exception {
    List<Entry> log = workload(300, 11);
    Path dir = tmp.resolve("fsm");
    List<ApplyResult> first;
    Digest before;
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      first = applyInBatches(fsm, log, 16);
      before = fsm.digest();
    }
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      List<ApplyResult> again = applyInBatches(fsm, log, 7);
      assertEquals(before, fsm.digest());
      for (int i = 0; i < log.size(); i++) {
        Entry e = log.get(i);
        boolean tagged = e.type() == leasekv.raft.EntryType.NORMAL && CommandCodec.decode(e.data()).tag() != null;
        // A tagged command's latest result per client is recorded; only that one can be repeated.
        if (again.get(i) != ApplyResult.SKIPPED) assertEquals(first.get(i), again.get(i), "entry " + e.index());
        if (!tagged) assertEquals(ApplyResult.SKIPPED, again.get(i));
      }
    }
  }

  @Test
  void replayAfterRollingBackToAnOlderPrefixReproducesStateAndResults() throws Exception {
    // A power loss in nosync mode leaves an older consistent prefix: model it with a checkpoint of
    // that prefix, then replay the rest of the log as the node does (from applied + 1).
    List<Entry> log = workload(400, 5);
    Path original = tmp.resolve("original");
    List<ApplyResult> originalResults;
    Digest originalDigest;
    Checkpoint prefix;
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(original))) {
      applyInBatches(fsm, log.subList(0, 150), 10);
      prefix = fsm.createCheckpoint(new ConfState(List.of("n1")));
      originalResults = applyInBatches(fsm, log.subList(150, 400), 10);
      originalDigest = fsm.digest();
    }
    Path rolledBack = tmp.resolve("rolled-back");
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(rolledBack))) {
      fsm.restoreFromCheckpoint(prefix);
      assertEquals(150, fsm.appliedIndex());
      List<ApplyResult> replayed = applyInBatches(fsm, log.subList((int) fsm.appliedIndex(), 400), 33);
      assertEquals(originalResults, replayed);
      assertEquals(originalDigest, fsm.digest());
    }
  }

  @Test
  void replicasApplyingTheSameLogHaveEqualDigestsWhateverTheBatching() throws Exception {
    List<Entry> log = workload(500, 99);
    try (StateMachine a = StateMachine.open(FsmOptions.defaults(tmp.resolve("a")));
        StateMachine b = StateMachine.open(FsmOptions.defaults(tmp.resolve("b")).withSyncMode(SyncMode.SYNC))) {
      assertEquals(a.digest(), b.digest());
      assertEquals(applyInBatches(a, log, 1), applyInBatches(b, log, 64));
      assertEquals(a.digest(), b.digest());
      assertEquals(500, a.digest().appliedIndex());
      a.apply(List.of(entry(501, set("k0", "x"))));
      b.apply(List.of(entry(501, set("k0", "y"))));
      assertNotEquals(a.digest(), b.digest(), "one differing value changes the digest");
    }
  }

  @Test
  void durableAppliedIndexFollowsTheSyncMode() throws Exception {
    try (StateMachine sync = StateMachine.open(FsmOptions.defaults(tmp.resolve("sync")).withSyncMode(SyncMode.SYNC));
        StateMachine nosync = StateMachine.open(FsmOptions.defaults(tmp.resolve("nosync")))) {
      List<Entry> log = workload(20, 3);
      sync.apply(log);
      nosync.apply(log);
      assertEquals(20, sync.durableAppliedIndex());
      assertEquals(0, nosync.durableAppliedIndex(), "nothing synced yet");
      assertEquals(20, nosync.makeDurable());
      assertEquals(20, nosync.durableAppliedIndex());
    }
  }

  private static String get(StateMachine fsm, String k) throws Exception {
    try (ReadView v = fsm.readView()) {
      return s(v.get(b(k)));
    }
  }
}
