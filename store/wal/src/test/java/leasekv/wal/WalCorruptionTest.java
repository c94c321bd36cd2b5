package leasekv.wal;

import static leasekv.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import leasekv.wal.WalTestSupport.RecordSpan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage to synced data never opens: the message names the file and the byte offset. */
class WalCorruptionTest {
  @TempDir Path tmp;

  /** Entries 1..10 synced as batch A, 11..20 as batch B. */
  private Path twoBatches(Path dir) throws Exception {
    try (Wal wal = Wal.open(WalOptions.defaults(dir).withSegmentSizeBytes(64 << 10))) {
      wal.append(entries(1, 1, 10));
      wal.sync();
      wal.append(entries(1, 11, 20));
      wal.sync();
    }
    return dir;
  }

  @Test
  void flippedByteAnywhereInAMiddleRecordRefusesToOpen() throws Exception {
    Path original = twoBatches(tmp.resolve("original"));
    List<RecordSpan> entryRecs = WalTestSupport.entryRecords(WalTestSupport.lastSegment(original));
    // Entry 5: a later batch proves it had been synced. Entry 15: in the last batch, nothing later
    // says so, and the damage must be told from a torn write by its shape.
    for (RecordSpan victim : List.of(entryRecs.get(4), entryRecs.get(14))) {
      for (long b = victim.offset(); b < victim.end(); b++) {
        for (int mask : new int[] {0x01, 0x80, 0xFF}) {
          Path dir = tmp.resolve("flip-" + b + "-" + mask);
          WalTestSupport.copyDir(original, dir);
          Path seg = WalTestSupport.lastSegment(dir);
          WalTestSupport.xorByte(seg, b, mask);
          WalCorruptionException e = assertThrows(WalCorruptionException.class,
              () -> Wal.open(WalOptions.defaults(dir).withSegmentSizeBytes(64 << 10)).close(), "byte " + b + " mask " + mask);
          assertEquals(seg, e.file());
          assertEquals(victim.offset(), e.offsetBytes());
          assertTrue(e.getMessage().contains(seg.toString()) && e.getMessage().contains("offset " + victim.offset()),
              e.getMessage());
        }
      }
    }
  }

  @Test
  void flippedByteInTheVeryLastRecordIsCorruptionNotATornWrite() throws Exception {
    Path dir = twoBatches(tmp.resolve("last"));
    Path seg = WalTestSupport.lastSegment(dir);
    RecordSpan last = WalTestSupport.entryRecords(seg).get(19);
    WalTestSupport.xorByte(seg, last.offset() + 20, 0x10); // inside the payload; no zeros appear
    WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(WalOptions.defaults(dir).withSegmentSizeBytes(64 << 10)).close());
    assertEquals(last.offset(), e.offsetBytes());
  }

  @Test
  void damageInASealedSegmentRefusesToOpen() throws Exception {
    Path dir = tmp.resolve("sealed");
    try (Wal wal = Wal.open(WalTestSupport.small(dir, Preallocation.NONE))) {
      for (int i = 1; i <= 800; i++) {
        wal.append(entries(1, i, i));
        if (i % 10 == 0) wal.sync();
      }
      assertTrue(wal.segmentCount() >= 3);
    }
    Path first = SegmentFiles.list(dir).firstEntry().getValue();
    RecordSpan lastOfFirst = WalTestSupport.records(first).get(WalTestSupport.records(first).size() - 1);
    try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
      f.setLength(lastOfFirst.end() - 3); // a sealed segment cut short
    }
    WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(WalTestSupport.small(dir, Preallocation.NONE)).close());
    assertEquals(first, e.file());
    assertEquals(lastOfFirst.offset(), e.offsetBytes());
  }

  @Test
  void sealedSegmentCutAtARecordBoundaryIsAGapNotSilentLoss() throws Exception {
    Path dir = tmp.resolve("boundary");
    try (Wal wal = Wal.open(WalTestSupport.small(dir, Preallocation.NONE))) {
      for (int i = 1; i <= 300; i++) {
        wal.append(entries(1, i, i));
        wal.sync();
      }
    }
    Path first = SegmentFiles.list(dir).firstEntry().getValue();
    List<RecordSpan> recs = WalTestSupport.records(first);
    try (RandomAccessFile f = new RandomAccessFile(first.toFile(), "rw")) {
      f.setLength(recs.get(recs.size() - 1).offset()); // its last record vanished cleanly
    }
    WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(WalTestSupport.small(dir, Preallocation.NONE)).close());
    assertTrue(e.getMessage().contains("missing or cut short"), e.getMessage());
    assertEquals(SegmentFiles.list(dir).higherEntry(SegmentFiles.list(dir).firstKey()).getValue(), e.file());
  }

  @Test
  void missingSegmentRefusesToOpen() throws Exception {
    Path dir = tmp.resolve("missing");
    try (Wal wal = Wal.open(WalTestSupport.small(dir, Preallocation.NONE))) {
      for (int i = 1; i <= 400; i++) {
        wal.append(entries(1, i, i));
        wal.sync();
      }
    }
    var files = SegmentFiles.list(dir);
    Path middle = files.higherEntry(files.firstKey()).getValue();
    Files.delete(middle);
    WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> Wal.open(WalTestSupport.small(dir, Preallocation.NONE)).close());
    assertTrue(e.getMessage().contains("segment file missing between " + files.firstEntry().getValue().getFileName() + " and "
        + files.higherEntry(files.higherKey(files.firstKey())).getValue().getFileName()), e.getMessage());
    assertEquals(middle, e.file(), "names the missing file");
    // Losing the oldest segment, with no compaction that covers it, is caught too.
    Path dir2 = tmp.resolve("missing-first");
    WalTestSupport.copyDir(dir, dir2);
    Files.delete(dir2.resolve(SegmentFiles.list(dir2).firstEntry().getValue().getFileName()));
    for (long seq : SegmentFiles.list(dir2).keySet()) {
      if (seq < files.higherKey(files.firstKey())) Files.delete(SegmentFiles.segmentPath(dir2, seq));
    }
    e = assertThrows(WalCorruptionException.class, () -> Wal.open(WalTestSupport.small(dir2, Preallocation.NONE)).close());
    assertTrue(e.getMessage().contains("entries in between are missing"), e.getMessage());
  }

  @Test
  void clientDataThatLooksLikeARecordCannotFakeOne() throws Exception {
    // A value holding a byte-exact record of another segment: the per-segment salt makes its CRC fail.
    Path dir = tmp.resolve("forged");
    byte[] forged = RecordCodec.encodeEntry(WalTestSupport.entry(9, 99), 12345, 1 << 30);
    try (Wal wal = Wal.open(WalOptions.defaults(dir).withSegmentSizeBytes(64 << 10))) {
      wal.append(List.of(leasekv.raft.Entry.normal(1, 1, forged)));
      wal.sync();
    }
    try (Wal wal = Wal.open(WalOptions.defaults(dir).withSegmentSizeBytes(64 << 10))) {
      assertEquals(1, wal.lastIndex());
    }
  }
}
