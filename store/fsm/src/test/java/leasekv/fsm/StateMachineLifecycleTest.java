package leasekv.fsm;

import static leasekv.fsm.FsmTestSupport.b;
import static leasekv.fsm.FsmTestSupport.entry;
import static leasekv.fsm.FsmTestSupport.set;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import leasekv.fsm.Command.ClientTag;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.SnapshotMeta;
import leasekv.raft.testing.OpenFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Closing, restarting, replaying applied entries, and the checkpoint edge cases. */
class StateMachineLifecycleTest {
  @TempDir Path tmp;
  private static final ConfState PEERS = new ConfState(List.of("n1", "n2", "n3"));

  private StateMachine open(String name) throws Exception {
    return StateMachine.open(FsmOptions.defaults(tmp.resolve(name)));
  }

  private static RocksEngine rocks(StateMachine fsm) {
    return (RocksEngine) fsm.engine();
  }

  /** A checkpoint of {@code fsm}'s state written to {@code target} (a path the test chooses). */
  private static DirectoryCheckpoint checkpointAt(StateMachine fsm, Path target) throws IOException {
    return rocks(fsm).checkpointTo(target, new SnapshotMeta(fsm.appliedIndex(), fsm.appliedTerm(), PEERS));
  }

  private static void assertClosed(Executable call) {
    IllegalStateException e = assertThrows(IllegalStateException.class, call);
    assertEquals("state machine is closed", e.getMessage());
  }

  private static List<String> dbDirs(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("db-")).sorted().toList();
    }
  }

  @Test
  void everyCallOnAClosedStateMachineIsRefusedAndCloseIsIdempotent() throws Exception {
    StateMachine fsm = open("fsm");
    fsm.apply(List.of(entry(1, set("k", "v"))));
    Checkpoint snap = fsm.createCheckpoint(PEERS);
    fsm.close();
    assertClosed(() -> fsm.apply(List.of(entry(2, set("k", "w")))));
    assertClosed(fsm::makeDurable);
    assertClosed(fsm::readView);
    assertClosed(fsm::digest);
    assertClosed(() -> fsm.createCheckpoint(PEERS));
    assertClosed(() -> fsm.restoreFromCheckpoint(snap));
    assertDoesNotThrow(fsm::close, "a second close is a no-op (and no refused call above kept a lock)");
    assertEquals(1, fsm.appliedIndex());
  }

  @Test
  void theAppliedMembershipSurvivesARestart() throws Exception {
    ConfState four = new ConfState(List.of("n1", "n2", "n3", "n4"));
    try (StateMachine fsm = open("fsm")) {
      fsm.apply(List.of(Entry.noop(2, 1), new Entry(2, 2, EntryType.CONFIG, four.encode())));
      assertEquals(four, fsm.appliedConf());
    }
    try (StateMachine fsm = open("fsm")) {
      assertEquals(four, fsm.appliedConf());
      assertEquals(2, fsm.appliedTerm());
    }
  }

  @Test
  void aReplayedEntryAnswersWithTheResultItHadWhenFirstApplied() throws Exception {
    ClientTag tag = new ClientTag("c1", 5);
    Entry tagged = entry(2, FsmTestSupport.cas(tag, "k", "a", "b"));
    Entry wrongType = entry(4, new Command.Set(new ClientTag("c2", 1), b("list"), b("x")));
    try (StateMachine fsm = open("fsm")) {
      List<ApplyResult> first = fsm.apply(List.of(entry(1, set("k", "a")), tagged,
          entry(3, FsmTestSupport.rpush("list", "e")), wrongType));
      assertEquals(ApplyResult.bool(true), first.get(1));
      assertTrue(first.get(3).isError());
      // Entries at or below the applied index (a replay after restart, a resent batch) are skipped:
      List<ApplyResult> again = fsm.apply(List.of(entry(1, set("k", "a")), tagged,
          entry(3, FsmTestSupport.rpush("list", "e")), wrongType, Entry.noop(1, 5)));
      assertEquals(List.of(ApplyResult.SKIPPED, ApplyResult.bool(true), ApplyResult.SKIPPED, first.get(3), ApplyResult.NONE), again,
          "an untagged entry is SKIPPED; a tagged one gets its recorded result, an error included");
      assertEquals("WRONGTYPE", again.get(3).errorCode());
      try (ReadView v = fsm.readView()) {
        assertEquals("b", FsmTestSupport.s(v.get(b("k"))), "and nothing was applied twice");
      }
    }
  }

  @Test
  void aSkippedEntryWithoutARecordedResultIsReportedSkipped() throws Exception {
    try (StateMachine fsm = open("fsm")) {
      fsm.apply(List.of(Entry.noop(1, 1), Entry.noop(1, 2)));
      Entry neverRecorded = entry(1, new Command.Set(new ClientTag("c9", 1), b("k"), b("v")));
      Entry malformed = Entry.normal(1, 2, new byte[] {42});
      assertEquals(List.of(ApplyResult.SKIPPED, ApplyResult.SKIPPED), fsm.apply(List.of(neverRecorded, malformed)));
    }
  }

  @Test
  void aCheckpointOntoAnExistingTargetIsRefusedBeforeAnyWork() throws Exception {
    try (StateMachine fsm = open("fsm")) {
      Path target = tmp.resolve("c");
      Files.createDirectories(target.resolve("inside"));
      IOException e = assertThrows(IOException.class, () -> checkpointAt(fsm, target));
      assertTrue(e.getMessage().contains("already exists"), e.getMessage());
      assertFalse(Files.exists(tmp.resolve("c.building")), "nothing was built");
    }
  }

  @Test
  void aCheckpointReplacesWhatACrashedCheckpointLeftBehind() throws Exception {
    try (StateMachine fsm = open("fsm")) {
      fsm.apply(List.of(entry(1, set("k", "v"))));
      Files.createDirectories(tmp.resolve("c.building"));
      Files.writeString(tmp.resolve("c.building").resolve("junk"), "half a checkpoint");
      assertEquals(new SnapshotMeta(1, 1, PEERS), checkpointAt(fsm, tmp.resolve("c")).meta());
      assertFalse(Files.exists(tmp.resolve("c").resolve("junk")));
    }
  }

  @Test
  void aCheckpointWhoseMetadataNamesAnotherIndexIsRefused() throws Exception {
    try (StateMachine source = open("source"); StateMachine fsm = open("fsm")) {
      source.apply(List.of(entry(1, set("k", "v")), entry(2, set("k", "w"))));
      Path snap = ((DirectoryCheckpoint) source.createCheckpoint(PEERS)).dir();
      SnapshotMetaFile.write(snap, new SnapshotMeta(7, 1, PEERS)); // the files hold index 2
      IOException e = assertThrows(IOException.class, () -> fsm.restoreFromCheckpoint(DirectoryCheckpoint.read(snap)));
      assertTrue(e.getMessage().contains("says index 7 but holds applied index 2"), e.getMessage());
    }
  }

  @Test
  void restoringReplacesTheLiveDatabaseAndDeletesTheOldOneAtOnce() throws Exception {
    Path dir = tmp.resolve("fsm");
    try (StateMachine source = open("source"); StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      source.apply(List.of(entry(1, set("k", "v"))));
      Checkpoint snap1 = source.createCheckpoint(PEERS);
      source.apply(List.of(entry(2, set("k", "w"))));
      Checkpoint snap2 = source.createCheckpoint(PEERS);
      List<String> before = dbDirs(dir);
      fsm.restoreFromCheckpoint(snap1);
      List<String> afterFirst = dbDirs(dir);
      assertEquals(1, afterFirst.size(), "the old database is gone: " + afterFirst);
      assertNotEquals(before, afterFirst);
      fsm.restoreFromCheckpoint(snap2);
      assertEquals(1, dbDirs(dir).size());
      assertEquals(2, fsm.appliedIndex());
    }
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      assertEquals(2, fsm.appliedIndex(), "the second restore is the live state after a restart");
    }
  }

  @Test
  void anInterruptedRestoreGivesUpAndKeepsTheInterrupt() throws Exception {
    try (StateMachine source = open("source"); StateMachine fsm = open("fsm")) {
      source.apply(List.of(entry(1, set("k", "v"))));
      Checkpoint snap = source.createCheckpoint(PEERS);
      try (ReadView open = fsm.readView()) { // the restore must wait for it
        Thread.currentThread().interrupt();
        IOException e = assertThrows(IOException.class, () -> fsm.restoreFromCheckpoint(snap));
        assertTrue(e.getMessage().contains("interrupted"), e.getMessage());
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller (and cleared here)");
      }
      assertEquals(0, fsm.appliedIndex(), "nothing was restored");
    }
  }

  @Test
  void aCheckpointOnAnotherFilesystemIsCopiedIn() throws Exception {
    Path shm = Path.of("/dev/shm");
    Assumptions.assumeTrue(onAnotherFileSystem(shm, tmp), "needs /dev/shm on another filesystem than the temp dir");
    Path elsewhere = Files.createTempDirectory(shm, "leasekv-fsm-test-");
    try (StateMachine source = open("source"); StateMachine fsm = open("fsm")) {
      source.apply(List.of(entry(1, set("k", "v"))));
      DirectoryCheckpoint snap = checkpointAt(source, elsewhere.resolve("snap"));
      assertEquals(new SnapshotMeta(1, 1, PEERS), fsm.restoreFromCheckpoint(snap));
      assertEquals(source.digest(), fsm.digest());
    } finally {
      FileSync.deleteTree(elsewhere);
    }
  }

  @Test
  void openRemovesWhatACrashedRestoreLeftAndKeepsEverythingElse() throws Exception {
    Path dir = tmp.resolve("fsm");
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      fsm.apply(List.of(entry(1, set("k", "v"))));
    }
    Files.createDirectories(dir.resolve("db-000009"));
    Files.createDirectories(dir.resolve("staging-123"));
    Files.writeString(dir.resolve("ACTIVE.tmp"), "db-000009\n");
    Files.writeString(dir.resolve("notes.txt"), "not ours to delete");
    try (StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      assertEquals(1, fsm.appliedIndex());
      assertEquals(List.of("db-000001"), dbDirs(dir));
      assertEquals(dir.resolve("db-000001"), rocks(fsm).activeDbDir());
      assertFalse(Files.exists(dir.resolve("staging-123")));
      assertFalse(Files.exists(dir.resolve("ACTIVE.tmp")));
      assertTrue(Files.exists(dir.resolve("notes.txt")));
    }
  }

  @Test
  void aCorruptActivePointerIsRefusedNamingIt() throws Exception {
    Path dir = tmp.resolve("fsm");
    StateMachine.open(FsmOptions.defaults(dir)).close();
    Files.writeString(dir.resolve("ACTIVE"), "../elsewhere\n");
    IOException e = assertThrows(IOException.class, () -> StateMachine.open(FsmOptions.defaults(dir)));
    assertTrue(e.getMessage().contains("is not a db directory name"), e.getMessage());
  }

  @Test
  void aRestoreReplacesWhatAnEarlierFailedReplaceLeftAtTheNextDbDirectory() throws Exception {
    Path dir = tmp.resolve("fsm");
    try (StateMachine source = open("source"); StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      source.apply(List.of(entry(1, set("k", "v"))));
      Files.createDirectories(dir.resolve("db-000002"));
      Files.writeString(dir.resolve("db-000002").resolve("CURRENT"), "left by a replace that failed past its move");
      assertEquals(1, fsm.restoreFromCheckpoint(source.createCheckpoint(PEERS)).index());
      assertEquals(List.of("db-000002"), dbDirs(dir));
      assertEquals(source.digest(), fsm.digest());
    }
  }

  @Test
  void aRestoreClosesTheOldDatabaseItsFilesAreNotLeftOpen() throws Exception {
    Path dir = tmp.resolve("fsm");
    try (StateMachine source = open("source"); StateMachine fsm = StateMachine.open(FsmOptions.defaults(dir))) {
      fsm.apply(List.of(entry(1, set("k", "old"))));
      source.apply(List.of(entry(1, set("k", "v")), entry(2, set("k", "w"))));
      Path old = rocks(fsm).activeDbDir();
      fsm.restoreFromCheckpoint(source.createCheckpoint(PEERS));
      List<String> stillOpen = OpenFiles.under(old);
      assertEquals(List.of(), stillOpen, "files of the replaced database");
    }
  }

  /** False also when the mount table cannot be read (a chroot without /proc: "Mount point not found"). */
  private static boolean onAnotherFileSystem(Path a, Path b) {
    try {
      return Files.isDirectory(a) && !Files.getFileStore(a).equals(Files.getFileStore(b));
    } catch (IOException e) {
      return false;
    }
  }
}
