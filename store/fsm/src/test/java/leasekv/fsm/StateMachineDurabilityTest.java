package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.entry;
import static leasekv.fsm.FsmTestSupport.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import leasekv.fsm.Command.ClientTag;
import leasekv.raft.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What survives a process crash in each sync mode, checked on a {@link CrashImage} in this JVM. */
class StateMachineDurabilityTest {
  @TempDir Path tmp;

  private static FsmOptions crashable(Path dir, SyncMode mode) {
    return FsmOptions.defaults(dir).withSyncMode(mode).withCrashLosesUnsyncedWrites(true);
  }

  private static List<Entry> sets(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to).mapToObj(i -> entry(i, set("k" + i, "v" + i))).toList();
  }

  private static String value(StateMachine fsm, String key) throws Exception {
    try (ReadView v = fsm.readView()) {
      return FsmTestSupport.s(v.get(FsmTestSupport.b(key)));
    }
  }

  @Test
  void syncModeMakesEveryApplyDurableAtOnce() throws Exception {
    Path dir = tmp.resolve("fsm");
    try (StateMachine fsm = StateMachine.open(crashable(dir, SyncMode.SYNC))) {
      fsm.apply(sets(1, 3));
      assertEquals(3, fsm.durableAppliedIndex(), "sync mode: durable as soon as applied");
      CrashImage.take(dir, tmp.resolve("crash"));
    }
    try (StateMachine crashed = StateMachine.open(FsmOptions.defaults(tmp.resolve("crash")))) {
      assertEquals(3, crashed.appliedIndex());
      assertEquals("v3", value(crashed, "k3"));
    }
  }

  @Test
  void nosyncLosesTheUnsyncedTailUntilMakeDurable() throws Exception {
    Path dir = tmp.resolve("fsm");
    try (StateMachine fsm = StateMachine.open(crashable(dir, SyncMode.NOSYNC))) {
      fsm.apply(sets(1, 2));
      assertEquals(2, fsm.makeDurable());
      fsm.apply(sets(3, 4));
      assertEquals(2, fsm.durableAppliedIndex());
      CrashImage.take(dir, tmp.resolve("before-sync"));
      assertEquals(4, fsm.makeDurable());
      CrashImage.take(dir, tmp.resolve("after-sync"));
    }
    try (StateMachine crashed = StateMachine.open(FsmOptions.defaults(tmp.resolve("before-sync")))) {
      assertEquals(2, crashed.appliedIndex(), "the crash kept exactly the durable prefix");
      assertNull(value(crashed, "k3"));
    }
    try (StateMachine crashed = StateMachine.open(FsmOptions.defaults(tmp.resolve("after-sync")))) {
      assertEquals(4, crashed.appliedIndex(), "makeDurable synced everything applied before it");
      assertEquals("v4", value(crashed, "k4"));
    }
  }

  @Test
  void aCleanCloseLeavesNothingUnsynced() throws Exception {
    Path dir = tmp.resolve("fsm");
    try (StateMachine fsm = StateMachine.open(crashable(dir, SyncMode.NOSYNC))) {
      fsm.apply(sets(1, 5));
    }
    try (StateMachine reopened = StateMachine.open(FsmOptions.defaults(dir))) {
      assertEquals(5, reopened.appliedIndex());
    }
  }

  @Test
  void unsafeAppliedIndexAheadOfDataPersistsTheIndexWithoutItsData() throws Exception {
    Path dir = tmp.resolve("fsm");
    FsmOptions unsafe = crashable(dir, SyncMode.NOSYNC).withUnsafeAppliedIndexAheadOfData(true);
    try (StateMachine fsm = StateMachine.open(unsafe)) {
      fsm.apply(List.of(entry(1, new Command.Set(new ClientTag("c", 1), FsmTestSupport.b("k"), FsmTestSupport.b("v")))));
      assertEquals("v", value(fsm, "k"), "applied");
      assertEquals(1, fsm.durableAppliedIndex(), "UNSAFE: claims durability for data it did not sync");
      CrashImage.take(dir, tmp.resolve("crash"));
    }
    try (StateMachine crashed = StateMachine.open(FsmOptions.defaults(tmp.resolve("crash")))) {
      assertEquals(1, crashed.appliedIndex(), "the index was synced on its own...");
      assertNull(value(crashed, "k"), "...and the data it covers was lost");
    }
  }
}
