package leasekv.wal;

import static leasekv.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import leasekv.raft.HardState;
import leasekv.wal.WalTestSupport.RecordSpan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A crash during the last write leaves its record incomplete: recovery truncates it, nothing else. */
class WalTornTailTest {
  @TempDir Path tmp;

  private static WalOptions options(Path dir, Preallocation mode) {
    return WalOptions.defaults(dir).withSegmentSizeBytes(64 << 10).withPreallocation(mode);
  }

  /** 30 entries in three synced batches; the last record of the log is entry 30. */
  private Path writeLog(Path dir, Preallocation mode) throws Exception {
    try (Wal wal = Wal.open(options(dir, mode))) {
      for (int batch = 0; batch < 3; batch++) {
        wal.setHardState(new HardState(1, "n1", batch * 10));
        wal.append(entries(1, batch * 10 + 1, batch * 10 + 10));
        wal.sync();
      }
    }
    return dir;
  }

  @Test
  void fileCutAtEveryByteOfTheLastRecordIsTruncated() throws Exception {
    Path original = writeLog(tmp.resolve("original"), Preallocation.NONE);
    List<RecordSpan> recs = WalTestSupport.records(WalTestSupport.lastSegment(original));
    RecordSpan last = recs.get(recs.size() - 1);
    assertEquals(RecordType.ENTRY, last.type());
    for (long cut = last.offset(); cut < last.end(); cut++) {
      Path dir = tmp.resolve("cut-" + cut);
      WalTestSupport.copyDir(original, dir);
      try (RandomAccessFile f = new RandomAccessFile(WalTestSupport.lastSegment(dir).toFile(), "rw")) {
        f.setLength(cut);
      }
      assertRecoversWithout30(dir, Preallocation.NONE, cut > last.offset());
    }
  }

  @Test
  void zeroedSuffixFromEveryByteOfTheLastRecordIsTruncated() throws Exception {
    Path original = writeLog(tmp.resolve("original"), Preallocation.ZERO_FILL);
    List<RecordSpan> recs = WalTestSupport.records(WalTestSupport.lastSegment(original));
    RecordSpan last = recs.get(recs.size() - 1);
    for (long from = last.offset(); from < last.end(); from++) {
      Path dir = tmp.resolve("zero-" + from);
      WalTestSupport.copyDir(original, dir);
      boolean survivingPrefixIsAllZero;
      try (RandomAccessFile f = new RandomAccessFile(WalTestSupport.lastSegment(dir).toFile(), "rw")) {
        f.seek(from);
        f.write(new byte[(int) (last.end() - from)]);
        byte[] prefix = new byte[(int) (from - last.offset())];
        f.seek(last.offset());
        f.readFully(prefix);
        survivingPrefixIsAllZero = java.util.Arrays.equals(prefix, new byte[prefix.length]);
      }
      // When every byte left of the record is zero (its first CRC bytes can be, the CRC is salted
      // at random), the file is exactly one in which the record never reached the disk: a clean
      // end of log, not a torn record. Either way entry 30 is gone and the rest recovers.
      assertRecoversWithout30(dir, Preallocation.ZERO_FILL, !survivingPrefixIsAllZero);
    }
  }

  @Test
  void lostMiddleSectorOfAnUnsyncedBatchTruncatesFromTheTornRecord() throws Exception {
    Path dir = tmp.resolve("sector");
    try (Wal wal = Wal.open(options(dir, Preallocation.ZERO_FILL))) {
      wal.append(entries(1, 1, 5));
      wal.sync();
      List<leasekv.raft.Entry> big = new java.util.ArrayList<>();
      for (int i = 6; i <= 8; i++) big.add(leasekv.raft.Entry.normal(1, i, new byte[1500]));
      for (int i = 6; i <= 8; i++) java.util.Arrays.fill(big.get(i - 6).data(), (byte) 7);
      wal.append(big);
      wal.writeUnsynced(); // on disk but never synced; then the "power fails"
    }
    Path seg = WalTestSupport.lastSegment(dir);
    RecordSpan e7 = WalTestSupport.entryRecords(seg).get(6);
    long sector = (e7.offset() / 512 + 1) * 512; // a sector inside entry 7 never reached the disk
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(sector);
      f.write(new byte[512]);
    }
    try (Wal wal = Wal.open(options(dir, Preallocation.ZERO_FILL))) {
      TornTail torn = wal.recoveryReport().tornTail();
      assertNotNull(torn);
      assertEquals(e7.offset(), torn.offsetBytes());
      assertEquals(1, torn.discardedIntactRecords(), "entry 8 was intact but came after the torn one");
      assertEquals(6, wal.lastIndex());
    }
  }

  /**
   * Rule D7 broken (unsafe append-after-torn-tail): the log resumes after the torn bytes, so the next
   * recovery meets damage followed by records synced past it, and must refuse the log as corrupt
   * (the node cannot restart). The safe recovery writes over the zeroed torn bytes and goes on.
   */
  @Test
  void theLogResumesOverATornTailNotAfterIt() throws Exception {
    for (boolean unsafe : new boolean[] {false, true}) {
      Path dir = tmp.resolve("left-" + unsafe);
      WalOptions opts = options(dir, Preallocation.ZERO_FILL).withUnsafeKeepTornTail(unsafe);
      try (Wal wal = Wal.open(opts)) {
        wal.append(entries(1, 1, 5));
        wal.sync();
        List<leasekv.raft.Entry> big = new java.util.ArrayList<>();
        for (int i = 6; i <= 8; i++) big.add(leasekv.raft.Entry.normal(1, i, new byte[1500]));
        for (int i = 6; i <= 8; i++) java.util.Arrays.fill(big.get(i - 6).data(), (byte) 7);
        wal.append(big);
        wal.writeUnsynced();
      }
      Path seg = WalTestSupport.lastSegment(dir);
      RecordSpan e7 = WalTestSupport.entryRecords(seg).get(6);
      try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
        f.seek((e7.offset() / 512 + 1) * 512);
        f.write(new byte[512]);
      }
      try (Wal wal = Wal.open(opts)) {
        assertEquals(6, wal.lastIndex());
        wal.append(entries(2, 7, 7)); // the log goes on from the truncation point
        wal.setHardState(new HardState(2, "n1", 7));
        wal.sync();
      }
      if (unsafe) {
        WalCorruptionException e = org.junit.jupiter.api.Assertions.assertThrows(WalCorruptionException.class,
            () -> Wal.open(opts).close());
        assertTrue(e.getMessage().contains(seg.getFileName().toString()), e.getMessage());
      } else {
        try (Wal wal = Wal.open(opts)) {
          assertEquals(7, wal.lastIndex(), "rule D7: the repaired log goes on cleanly");
        }
      }
    }
  }

  private void assertRecoversWithout30(Path dir, Preallocation mode, boolean expectTorn) throws Exception {
    try (Wal wal = Wal.open(options(dir, mode))) {
      if (expectTorn) {
        assertNotNull(wal.recoveryReport().tornTail(), dir.toString());
      } else {
        assertNull(wal.recoveryReport().tornTail(), dir.toString());
      }
      assertEquals(29, wal.lastIndex(), dir.toString());
      assertEquals(entries(1, 1, 29), wal.entries(1, 30, Long.MAX_VALUE));
      assertEquals(new HardState(1, "n1", 20), wal.hardState());
      wal.append(entries(2, 30, 31)); // the log goes on from the truncation point
      wal.sync();
    }
    try (Wal wal = Wal.open(options(dir, mode))) {
      assertNull(wal.recoveryReport().tornTail(), "the repair is durable and clean");
      assertEquals(31, wal.lastIndex());
      assertEquals(2, wal.term(30));
      assertTrue(wal.entries(1, 32, Long.MAX_VALUE).size() == 31);
    }
  }
}
