package leasekv.wal;

import static leasekv.wal.WalTestSupport.entries;
import static leasekv.wal.WalTestSupport.entry;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;
import leasekv.raft.testing.OpenFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/** The WAL's contract at its edges: refusals, bounds, reads that miss the cache, records written once. */
class WalApiTest {
  @TempDir Path dir;
  private static final ConfState THREE = new ConfState(List.of("n1", "n2", "n3"));

  private static void assertClosed(Executable call) {
    IOException e = assertThrows(IOException.class, call);
    assertEquals("WAL is closed", e.getMessage());
  }

  @Test
  void aClosedWalRefusesEveryWriteAndClosesOnce() throws Exception {
    Wal wal = Wal.open(WalOptions.defaults(dir));
    wal.append(entries(1, 1, 3));
    wal.close();
    assertClosed(() -> wal.append(entries(1, 4, 4)));
    assertClosed(() -> wal.setHardState(new HardState(1, null, 1)));
    assertClosed(wal::sync);
    assertClosed(() -> wal.compact(2));
    assertClosed(() -> wal.installSnapshot(new SnapshotMeta(5, 1, THREE)));
    assertDoesNotThrow(wal::close);
    try (Wal reopened = Wal.open(WalOptions.defaults(dir))) {
      assertEquals(3, reopened.lastIndex(), "the close synced what was appended");
    }
  }

  @Test
  void appendsAreCheckedAgainstTheCompactionPointAndThePreviousEntry() throws Exception {
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      wal.append(entries(2, 1, 10));
      wal.compact(5);
      IllegalArgumentException compacted = assertThrows(IllegalArgumentException.class, () -> wal.append(entries(2, 5, 5)));
      assertEquals("cannot append index 5: compacted through 5", compacted.getMessage());
      wal.append(entries(3, 6, 6)); // just above the compaction point, after a term-2 entry 5
      assertEquals(6, wal.lastIndex());
      IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> wal.append(entries(3, 8, 8)));
      assertTrue(gap.getMessage().contains("gap after last index 6"), gap.getMessage());
      IllegalArgumentException holes = assertThrows(IllegalArgumentException.class,
          () -> wal.append(List.of(entry(3, 7), entry(3, 9))));
      assertEquals("entries not contiguous at index 9", holes.getMessage());
      IllegalArgumentException older = assertThrows(IllegalArgumentException.class, () -> wal.append(entries(2, 7, 7)));
      assertEquals("entry 7 has term 2 below the previous 3", older.getMessage());
      wal.append(entries(3, 7, 7)); // the same term is fine
      assertEquals(3, wal.term(7));
    }
  }

  @Test
  void termsAndEntriesAreBoundedByTheCompactionPointAndTheLastIndex() throws Exception {
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      wal.append(entries(2, 1, 10));
      wal.compact(4);
      assertEquals(2, wal.term(4), "the compaction point keeps its term");
      assertThrows(LogCompactedException.class, () -> wal.term(3));
      assertThrows(LogUnavailableException.class, () -> wal.term(11));
      assertThrows(LogCompactedException.class, () -> wal.entries(4, 6, 1000));
      assertThrows(LogUnavailableException.class, () -> wal.entries(9, 12, 1000));
      long each = entry(2, 5).data().length + 24L;
      assertEquals(2, wal.entries(5, 11, 2 * each).size(), "exactly two fit");
      assertEquals(1, wal.entries(5, 11, 2 * each - 1).size());
      assertEquals(1, wal.entries(5, 11, 1).size(), "at least one");
      assertEquals(entries(2, 5, 10), wal.entries(5, 11, Long.MAX_VALUE));
    }
  }

  @Test
  void entriesEvictedFromTheCacheAreReadBackFromTheSegments() throws Exception {
    WalOptions options = WalOptions.defaults(dir).withCacheMaxBytes(1);
    List<Entry> written = entries(4, 1, 40);
    try (Wal wal = Wal.open(options)) {
      wal.append(written.subList(0, 20));
      wal.sync();
      wal.append(written.subList(20, 40)); // not even handed to the OS yet
      assertEquals(written, wal.entries(1, 41, Long.MAX_VALUE));
      assertEquals(written.subList(25, 26), wal.entries(26, 27, Long.MAX_VALUE));
    }
  }

  @Test
  void anUnchangedHardStateIsNotWrittenAgain() throws Exception {
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      wal.setHardState(new HardState(2, "n1", 0));
      wal.setHardState(new HardState(2, "n1", 0));
      wal.sync();
      wal.setHardState(new HardState(2, "n1", 0));
      wal.sync();
      wal.setHardState(new HardState(3, "n1", 0));
      wal.sync();
    }
    long hardStates = WalTestSupport.records(WalTestSupport.lastSegment(dir)).stream()
        .filter(r -> r.type() == RecordType.HARD_STATE).count();
    assertEquals(2, hardStates);
  }

  @Test
  void aSnapshotAtTheCompactionPointIsAcceptedAndAnOlderOneRefused() throws Exception {
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      wal.append(List.of(entry(1, 1), new Entry(1, 2, leasekv.raft.EntryType.CONFIG,
          THREE.withVoter("n4").encode())));
      wal.compact(1);
      SnapshotMeta at = new SnapshotMeta(1, 1, THREE);
      wal.installSnapshot(at);
      assertEquals(THREE, wal.latestConfState(), "the log's own membership changes went with it");
      assertEquals(1, wal.lastIndex());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> wal.installSnapshot(new SnapshotMeta(0, 1, THREE)));
      assertTrue(e.getMessage().contains("older than the compaction point 1"), e.getMessage());
    }
  }

  @Test
  void leftoverTemporaryFilesAreRemovedAtOpenAndReported() throws Exception {
    WalOptions options = WalOptions.defaults(dir).withPreallocation(Preallocation.NONE); // no spare segment files
    try (Wal wal = Wal.open(options)) {
      wal.append(entries(1, 1, 2));
    }
    Path leftover = dir.resolve("segment-000000000002.wal.tmp");
    java.nio.file.Files.writeString(leftover, "half a segment");
    try (Wal wal = Wal.open(options)) {
      assertEquals(List.of(leftover), wal.recoveryReport().removedTempFiles());
      assertTrue(java.nio.file.Files.notExists(leftover));
      assertEquals(2, wal.lastIndex());
    }
  }

  @Test
  void aTornTailIsZeroedInPlaceWithoutGrowingTheFile() throws Exception {
    WalOptions options = WalOptions.defaults(dir).withPreallocation(Preallocation.NONE);
    try (Wal wal = Wal.open(options)) {
      wal.append(entries(1, 1, 5));
      wal.sync();
      wal.append(entries(1, 6, 6));
      wal.writeUnsynced();
    }
    Path segment = WalTestSupport.lastSegment(dir);
    WalTestSupport.RecordSpan last = WalTestSupport.entryRecords(segment).get(5);
    try (var ch = java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(last.offset() + last.length() / 2); // the last write reached the disk only in part
    }
    long size = java.nio.file.Files.size(segment);
    try (Wal wal = Wal.open(options)) {
      assertEquals(5, wal.lastIndex());
      assertEquals(last.offset(), wal.recoveryReport().tornTail().offsetBytes());
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(segment);
    assertEquals(size, bytes.length, "zeroed in place, not extended");
    for (long i = last.offset(); i < size; i++) assertEquals(0, bytes[(int) i], "byte " + i + " of the torn record");
  }

  @Test
  void closingLeavesNoSegmentFileOpen() throws Exception {
    try (Wal wal = Wal.open(WalTestSupport.small(dir, Preallocation.NONE))) {
      for (int i = 1; i <= 200; i++) wal.append(entries(1, i, i)); // several segments
      wal.sync();
      assertTrue(wal.segmentCount() > 1);
    }
    assertEquals(List.of(), OpenFiles.under(dir));
  }
}
