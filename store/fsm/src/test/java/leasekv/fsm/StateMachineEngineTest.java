package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.b;
import static leasekv.fsm.FsmTestSupport.entry;
import static leasekv.fsm.FsmTestSupport.rpush;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import leasekv.fsm.testing.MemoryEngine;
import leasekv.raft.ConfState;
import leasekv.raft.SnapshotMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the state machine asks of its engine: one batch per apply, a sync at open, a clean close. */
class StateMachineEngineTest {
  @TempDir Path tmp;
  private static final Command.ClientTag TAG = new Command.ClientTag("c1", 7);

  @Test
  void openingMakesWhatACrashLeftUnsyncedDurable() throws Exception {
    MemoryEngine engine = new MemoryEngine();
    StateMachine before = StateMachine.open(engine, SyncMode.NOSYNC, false);
    before.apply(List.of(entry(1, rpush("l", "a"))));
    assertEquals(1, engine.unsyncedBatches());
    assertEquals(0, before.durableAppliedIndex());
    StateMachine after = StateMachine.open(engine, SyncMode.NOSYNC, false); // the process restarted
    assertEquals(0, engine.unsyncedBatches());
    assertEquals(1, after.durableAppliedIndex());
    assertEquals(SyncMode.NOSYNC, after.syncMode());
  }

  @Test
  void dedupOutsideBatchStillAnswersARetryWhenNothingIsLost() throws Exception {
    MemoryEngine engine = new MemoryEngine();
    StateMachine fsm = StateMachine.open(engine, SyncMode.NOSYNC, EnumSet.of(FsmUnsafe.DEDUP_OUTSIDE_BATCH));
    fsm.apply(List.of(entry(1, new Command.RPush(TAG, b("l"), List.of(b("x"))))));
    assertEquals(2, engine.unsyncedBatches(), "the data, then the de-dup records in a batch of their own");
    fsm.apply(List.of(entry(2, new Command.RPush(TAG, b("l"), List.of(b("x"))))));
    try (ReadView v = fsm.readView()) {
      assertEquals(1, v.llen(b("l")), "the retry was answered from the de-dup table");
    }
    fsm.apply(List.of(entry(3, rpush("l", "untagged"))));
    assertEquals(4, engine.unsyncedBatches(), "one batch each for the retry and the untagged command: no empty de-dup batch");
  }

  @Test
  void applyingOnlyEntriesAlreadyAppliedWritesNothing() throws Exception {
    MemoryEngine engine = new MemoryEngine();
    StateMachine fsm = StateMachine.open(engine, SyncMode.NOSYNC, false);
    fsm.apply(List.of(entry(1, rpush("l", "a")), entry(2, rpush("l", "b"))));
    assertEquals(1, engine.unsyncedBatches());
    fsm.apply(List.of(entry(1, rpush("l", "a")), entry(2, rpush("l", "b")))); // a resent batch
    assertEquals(1, engine.unsyncedBatches(), "no second batch");
  }

  @Test
  void inSyncModeDedupOutsideBatchSyncsItsSecondBatchToo() throws Exception {
    MemoryEngine engine = new MemoryEngine();
    StateMachine fsm = StateMachine.open(engine, SyncMode.SYNC, EnumSet.of(FsmUnsafe.DEDUP_OUTSIDE_BATCH));
    fsm.apply(List.of(entry(1, new Command.RPush(TAG, b("l"), List.of(b("x"))))));
    assertEquals(0, engine.unsyncedBatches(), "the mode breaks atomicity, not the sync mode");
    assertEquals(1, fsm.durableAppliedIndex());
  }

  @Test
  void aStateMachineThatCannotReadItsAppliedIndexClosesItsEngine() throws Exception {
    Path dir = tmp.resolve("fsm");
    try (RocksEngine engine = RocksEngine.open(dir, false)) {
      EngineBatch corrupt = new EngineBatch();
      corrupt.put(Keys.APPLIED, new byte[] {1, 2, 3}); // not the 16 bytes of index and term
      engine.write(corrupt, true);
    }
    RuntimeException first = assertThrows(RuntimeException.class, () -> StateMachine.open(FsmOptions.defaults(dir)));
    RuntimeException again = assertThrows(RuntimeException.class, () -> StateMachine.open(FsmOptions.defaults(dir)));
    assertEquals(first.getClass(), again.getClass(), "the same refusal, not RocksDB's lock held by a leaked engine: " + again);
  }

  @Test
  void aCleanCloseLeavesNothingForTheNextOpenToLose() throws Exception {
    Path dir = tmp.resolve("fsm");
    try (StateMachine fsm = StateMachine.open(new FsmOptions(dir, SyncMode.NOSYNC, Set.of(), true))) {
      fsm.apply(List.of(entry(1, rpush("l", "a"))));
    }
    try (StateMachine fsm = StateMachine.open(new FsmOptions(dir, SyncMode.NOSYNC, Set.of(), true))) {
      assertEquals(1, fsm.appliedIndex());
    }
  }

  @Test
  void discardingADirectoryCheckpointDeletesItsFiles() throws Exception {
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(tmp.resolve("fsm")))) {
      fsm.apply(List.of(entry(1, rpush("l", "a"))));
      DirectoryCheckpoint c = (DirectoryCheckpoint) fsm.createCheckpoint(new ConfState(List.of("n1")));
      assertTrue(Files.isDirectory(c.dir()));
      c.discard();
      assertFalse(Files.exists(c.dir()));
      c.discard(); // a second discard finds nothing and does not throw
    }
  }

  @Test
  void metadataWithoutABodyIsBadMetadataNotABadCrc() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("c"));
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    Files.writeString(dir.resolve(SnapshotMetaFile.NAME), "crc32c=" + crc.getValue() + "\n");
    IOException e = assertThrows(IOException.class, () -> SnapshotMetaFile.read(dir));
    assertTrue(e.getMessage().startsWith("bad checkpoint metadata in "), e.getMessage());
    SnapshotMeta meta = new SnapshotMeta(3, 2, new ConfState(List.of("n1")));
    SnapshotMetaFile.write(dir, meta);
    assertEquals(meta, SnapshotMetaFile.read(dir));
  }
}
