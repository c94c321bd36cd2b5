package leasekv.wal;

import static leasekv.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.SnapshotMeta;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each durable step issues its own fsyncs, and only those: what a power loss would undo if one were
 * missing (the metrics listener sees every fsync, in order, as the node's metrics do).
 */
class WalFsyncStepsTest {
  @TempDir Path dir;
  private final List<FsyncKind> fsyncs = Collections.synchronizedList(new ArrayList<>());
  private static final List<FsyncKind> NEW_SEGMENT = List.of(FsyncKind.STRUCTURE, FsyncKind.STRUCTURE); // file, directory

  private WalOptions options() {
    return WalTestSupport.small(dir, Preallocation.NONE).withMetrics((kind, nanos) -> fsyncs.add(kind));
  }

  @BeforeEach
  void createTheLog() throws Exception {
    Files.createDirectories(dir);
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 1, 1));
      wal.sync();
    }
    fsyncs.clear();
  }

  private List<FsyncKind> taken() {
    List<FsyncKind> out = List.copyOf(fsyncs);
    fsyncs.clear();
    return out;
  }

  @Test
  void aSyncFsyncsOnceAndASecondSyncWithNothingNewDoesNot() throws Exception {
    try (Wal wal = Wal.open(options())) {
      assertEquals(List.of(), taken(), "opening a clean log syncs nothing");
      wal.append(entries(1, 2, 3));
      wal.sync();
      assertEquals(List.of(FsyncKind.SYNC), taken());
      wal.sync();
      assertEquals(List.of(), taken(), "everything written is already durable");
    }
    assertEquals(List.of(), taken(), "a clean close after a sync has nothing to sync");
  }

  @Test
  void closeSyncsWhatWasAppendedButNotSynced() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 2, 3));
    }
    assertEquals(List.of(FsyncKind.SYNC), taken());
    try (Wal wal = Wal.open(options())) {
      assertEquals(3, wal.lastIndex());
    }
  }

  @Test
  void aFullSegmentIsSealedBeforeTheNextIsCreatedDurably() throws Exception {
    try (Wal wal = Wal.open(options())) {
      int i = 2;
      while (wal.segmentCount() == 1) {
        wal.append(entries(1, i, i));
        i++;
      }
      List<FsyncKind> expected = new ArrayList<>(List.of(FsyncKind.SEAL));
      expected.addAll(NEW_SEGMENT);
      assertEquals(expected, taken());
    }
  }

  @Test
  void compactionSyncsItsPointBeforeDeletingAndThenSyncsTheDirectory() throws Exception {
    try (Wal wal = Wal.open(options())) {
      long i = WalTestSupport.appendSyncedUntilSegments(wal, 3, 2);
      taken();
      wal.compact(2); // inside the first segment: nothing to delete
      assertEquals(List.of(FsyncKind.SYNC), taken());
      assertEquals(3, wal.segmentCount());
      wal.compact(i - 2); // inside the last segment: the older ones go
      assertEquals(List.of(FsyncKind.SYNC, FsyncKind.STRUCTURE), taken());
      assertEquals(1, wal.segmentCount());
    }
  }

  @Test
  void aSnapshotInstallCreatesItsSegmentDurablyAndSyncsTheDeletions() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.installSnapshot(new SnapshotMeta(10, 2, new ConfState(List.of("n1"))));
      List<FsyncKind> expected = new ArrayList<>(NEW_SEGMENT);
      expected.add(FsyncKind.STRUCTURE);
      assertEquals(expected, taken());
    }
  }

  @Test
  void entriesPendingAtASnapshotInstallStayInTheOldLog() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 2, 4)); // pending, not yet written
      wal.installSnapshot(new SnapshotMeta(10, 2, new ConfState(List.of("n1"))));
      wal.append(entries(2, 11, 12));
      wal.sync();
    }
    try (Wal wal = Wal.open(options())) {
      assertEquals(11, wal.firstIndex());
      assertEquals(12, wal.lastIndex());
      assertEquals(entries(2, 11, 12), wal.entries(11, 13, Long.MAX_VALUE));
    }
  }

  @Test
  void repairingATornTailAndRemovingTempFilesAreSynced() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 2, 2));
      wal.writeUnsynced();
    }
    taken();
    Path segment = WalTestSupport.lastSegment(dir);
    WalTestSupport.RecordSpan last = WalTestSupport.entryRecords(segment).get(1);
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(last.end() - 1);
    }
    try (Wal wal = Wal.open(options())) {
      assertEquals(1, wal.lastIndex());
      assertEquals(List.of(FsyncKind.STRUCTURE), taken(), "the zeroed tail");
    }
    Files.writeString(dir.resolve("segment-new-9.tmp"), "half a segment");
    try (Wal wal = Wal.open(options())) {
      assertEquals(List.of(FsyncKind.STRUCTURE), taken(), "the directory, after deleting the temp file");
    }
  }

  /**
   * A torn tail longer than the 1 MiB zeroing buffer is zeroed to its last byte and no further:
   * the file does not grow.
   */
  @Test
  void aTornTailLargerThanTheZeroingBufferIsZeroedInPlace() throws Exception {
    WalOptions big = WalOptions.defaults(dir.resolve("big")).withPreallocation(Preallocation.NONE);
    try (Wal wal = Wal.open(big)) {
      wal.append(entries(1, 1, 1));
      wal.sync();
      byte[] data = new byte[1_700_000];
      java.util.Arrays.fill(data, (byte) 3);
      wal.append(List.of(Entry.normal(1, 2, data)));
      wal.writeUnsynced();
    }
    Path segment = WalTestSupport.lastSegment(dir.resolve("big"));
    long torn = WalTestSupport.entryRecords(segment).get(1).offset();
    long cut = torn + 1_500_000;
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(cut);
    }
    try (Wal wal = Wal.open(big)) {
      assertEquals(1, wal.lastIndex());
      assertEquals(cut - torn, wal.recoveryReport().tornTail().discardedBytes());
    }
    byte[] bytes = Files.readAllBytes(segment);
    assertEquals(cut, bytes.length, "zeroed in place, not extended");
    for (long i = torn; i < cut; i++) assertEquals(0, bytes[(int) i], "byte " + i);
  }

  /** A recovered segment holding only its start record still counts as empty: a large first record stays in it. */
  @Test
  void aRecoveredEmptySegmentTakesARecordLargerThanASegment() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.installSnapshot(new SnapshotMeta(5, 1, new ConfState(List.of("n1"))));
    }
    try (Wal wal = Wal.open(options())) {
      int segments = wal.segmentCount();
      wal.append(List.of(Entry.normal(1, 6, new byte[10_000])));
      wal.sync();
      assertEquals(segments, wal.segmentCount(), "no rollover of a segment that holds no record");
      assertEquals(6, wal.lastIndex());
    }
  }
}
