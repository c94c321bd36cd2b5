package leasekv.wal;

import static leasekv.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import leasekv.raft.Entry;
import leasekv.raft.SnapshotMeta;
import leasekv.raft.testing.OpenFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WAL at the edges of its bookkeeping: segment bounds, the flush threshold, compaction's refusals, reads of damaged records. */
class WalEdgesTest {
  private static final int SEGMENT_BYTES = 8192;
  @TempDir Path dir;

  private WalOptions options() {
    return WalTestSupport.small(dir, Preallocation.NONE);
  }

  private static Entry sized(long term, long index, int dataBytes) {
    byte[] data = new byte[dataBytes];
    java.util.Arrays.fill(data, (byte) index);
    return Entry.normal(term, index, data);
  }

  private static int recordBytes(int dataBytes) {
    return RecordCodec.FRAME_BYTES + 17 + dataBytes;
  }

  @Test
  void noSegmentGrowsPastTheSegmentSize() throws Exception {
    try (Wal wal = Wal.open(options())) {
      for (int i = 1; i <= 120; i++) {
        wal.append(List.of(sized(1, i, 300)));
        wal.sync();
      }
      assertTrue(wal.segmentCount() >= 4);
    }
    for (Path segment : SegmentFiles.list(dir).values()) {
      assertTrue(Files.size(segment) <= SEGMENT_BYTES, segment + " holds " + Files.size(segment) + " bytes");
    }
  }

  @Test
  void aRecordThatExactlyFillsTheSegmentStaysInIt() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 1, 1));
      wal.writeUnsynced();
      List<WalTestSupport.RecordSpan> written = WalTestSupport.records(WalTestSupport.lastSegment(dir));
      long end = written.get(written.size() - 1).end();
      int data = (int) (SEGMENT_BYTES - end) - recordBytes(0);
      wal.append(List.of(sized(1, 2, data)));
      wal.sync();
      assertEquals(1, wal.segmentCount());
      written = WalTestSupport.records(WalTestSupport.lastSegment(dir));
      assertEquals(SEGMENT_BYTES, written.get(written.size() - 1).end());
      wal.append(entries(1, 3, 3));
      assertEquals(2, wal.segmentCount(), "the next record starts the next segment");
    }
  }

  @Test
  void aMebibyteOfPendingRecordsIsHandedToTheOsBeforeTheSync() throws Exception {
    WalOptions big = WalOptions.defaults(dir).withPreallocation(Preallocation.NONE);
    try (Wal wal = Wal.open(big)) {
      wal.append(List.of(sized(1, 1, (1 << 20) - recordBytes(0)))); // exactly the 1 MiB threshold
      assertEquals(1, WalTestSupport.entryRecords(WalTestSupport.lastSegment(dir)).size(), "written at the threshold");
      wal.append(entries(1, 2, 2)); // below it: stays pending
      assertEquals(1, WalTestSupport.entryRecords(WalTestSupport.lastSegment(dir)).size());
      wal.writeUnsynced();
      assertEquals(2, WalTestSupport.entryRecords(WalTestSupport.lastSegment(dir)).size(), "written, not yet synced");
    }
  }

  @Test
  void overwritingAMembershipChangeForgetsIt() throws Exception {
    leasekv.raft.ConfState three = new leasekv.raft.ConfState(List.of("n1", "n2", "n3"));
    try (Wal wal = Wal.open(options())) {
      wal.append(List.of(new Entry(1, 1, leasekv.raft.EntryType.CONFIG, three.encode())));
      wal.append(entries(1, 2, 4));
      wal.append(List.of(new Entry(1, 5, leasekv.raft.EntryType.CONFIG, three.withVoter("n4").encode())));
      wal.append(entries(2, 4, 6)); // a new leader's entries replace 4 and the change at 5
      assertEquals(three, wal.latestConfState());
    }
  }

  @Test
  void anEmptyAppendDoesNothing() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 1, 3));
      wal.append(List.of());
      assertEquals(3, wal.lastIndex());
    }
  }

  @Test
  void compactingAgainOrBelowThePointDoesNothingAndBeyondTheLogIsRefused() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 1, 10));
      wal.sync();
      wal.compact(5);
      wal.compact(5);
      wal.compact(3);
      assertEquals(new SnapshotMeta(5, 1, wal.compactionPoint().conf()), wal.compactionPoint());
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wal.compact(11));
      assertEquals("cannot compact through 11: last index is 10", e.getMessage());
      LogUnavailableException u = assertThrows(LogUnavailableException.class, () -> wal.entries(6, 12, Long.MAX_VALUE));
      assertEquals("index 11 is beyond the last index 10", u.getMessage());
    }
  }

  @Test
  void aClosedWalKeepsItsCompactionPoint() throws Exception {
    Wal wal = Wal.open(options());
    wal.append(entries(1, 1, 10));
    wal.sync();
    wal.close();
    IOException e = assertThrows(IOException.class, () -> wal.compact(5));
    assertEquals("WAL is closed", e.getMessage());
    assertEquals(1, wal.firstIndex());
  }

  @Test
  void compactingAtTheStartOfASegmentDeletesEveryOlderSegment() throws Exception {
    try (Wal wal = Wal.open(options())) {
      WalTestSupport.appendSyncedUntilSegments(wal, 3, 1);
      var segments = SegmentFiles.list(dir);
      long secondStartsAfter = startOf(segments.higherEntry(segments.firstKey()).getValue()).prevIndex();
      wal.compact(secondStartsAfter);
      assertEquals(2, wal.segmentCount(), "the segment holding the point's successor is the oldest one kept");
    }
  }

  private static SegmentStart startOf(Path segment) throws IOException {
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(Files.readAllBytes(segment));
    int salt = SegmentHeader.decode(buf).salt();
    RecordCodec.RecordHeader h = RecordCodec.readValid(buf, SegmentHeader.BYTES, buf.limit(), salt);
    return RecordCodec.decodeSegmentStart(RecordCodec.payload(buf, SegmentHeader.BYTES, h));
  }

  @Test
  void deletedSegmentsAreClosed() throws Exception {
    try (Wal wal = Wal.open(options())) {
      long next = WalTestSupport.appendSyncedUntilSegments(wal, 3, 1);
      wal.compact(next - 1);
      assertEquals(1, wal.segmentCount());
      assertEquals(List.of(WalTestSupport.lastSegment(dir).toString()), OpenFiles.under(dir));
    }
  }

  @Test
  void aFailedRecoveryLeavesNoSegmentOpen() throws Exception {
    try (Wal wal = Wal.open(options())) {
      for (int i = 1; i <= 400; i++) {
        wal.append(entries(1, i, i));
        wal.sync();
      }
    }
    var segments = SegmentFiles.list(dir);
    Path second = segments.higherEntry(segments.firstKey()).getValue();
    WalTestSupport.xorByte(second, WalTestSupport.entryRecords(second).get(0).offset() + 20, 0x04);
    assertThrows(WalCorruptionException.class, () -> Wal.open(options()).close());
    assertEquals(List.of(), OpenFiles.under(dir));
  }

  @Test
  void aRolloverRightAfterCompactingTheWholeLogStartsFromTheCompactionPoint() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(List.of(sized(3, 1, 4000)));
      wal.sync();
      wal.compact(1);
      wal.append(List.of(sized(3, 2, 6000))); // does not fit: the next segment starts after index 1 at term 3
      wal.sync();
      assertEquals(2, wal.segmentCount());
    }
    try (Wal wal = Wal.open(options())) {
      assertEquals(2, wal.lastIndex());
      assertEquals(3, wal.term(2));
    }
  }

  /**
   * An overwrite that lands while a sync's fsync runs is not covered by it: the durable last index
   * stops below the overwritten suffix.
   */
  @Test
  void anOverwriteDuringAnFsyncKeepsTheDurableIndexBelowIt() throws Exception {
    AtomicBoolean overwrite = new AtomicBoolean();
    Wal[] self = new Wal[1];
    WalOptions opts = options().withMetrics((kind, nanos) -> {
      if (kind == FsyncKind.SYNC && overwrite.getAndSet(false)) {
        try {
          self[0].append(entries(2, 8, 8));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });
    try (Wal wal = Wal.open(opts)) {
      self[0] = wal;
      wal.append(entries(1, 1, 5));
      wal.sync();
      wal.append(entries(1, 6, 10));
      overwrite.set(true);
      wal.sync();
      assertEquals(8, wal.lastIndex());
      assertEquals(7, wal.durableLastIndex(), "entry 8 was replaced after the fsync's data was handed over");
    }
  }

  @Test
  void aRecordDamagedUnderARunningWalIsReportedWhenReadBack() throws Exception {
    try (Wal wal = Wal.open(options().withCacheMaxBytes(0))) {
      wal.append(entries(1, 1, 3));
      wal.sync();
      Path segment = WalTestSupport.lastSegment(dir);
      WalTestSupport.xorByte(segment, WalTestSupport.entryRecords(segment).get(0).offset() + 20, 0x04);
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> wal.entries(1, 2, Long.MAX_VALUE));
      WalCorruptionException c = assertInstanceOf(WalCorruptionException.class, e.getCause());
      assertTrue(c.getMessage().contains("entry 1 no longer reads back intact"), c.getMessage());
      assertEquals(entries(1, 2, 2), wal.entries(2, 3, Long.MAX_VALUE));
    }
  }
}
