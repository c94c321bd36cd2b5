package leasekv.wal;

import static leasekv.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalCompactionTest {
  @TempDir Path dir;

  private static final ConfState THREE = new ConfState(List.of("n1", "n2", "n3"));
  private static final ConfState FOUR = new ConfState(List.of("n1", "n2", "n3", "n4"));

  private WalOptions options() {
    return WalTestSupport.small(dir, Preallocation.ZERO_FILL);
  }

  @Test
  void rolloverThenCompactionDeletesWholeSegmentsAndSurvivesRestart() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(List.of(new Entry(1, 1, EntryType.CONFIG, THREE.encode())));
      wal.append(entries(1, 2, 300));
      wal.append(List.of(new Entry(1, 301, EntryType.CONFIG, FOUR.encode())));
      wal.append(entries(2, 302, 600));
      wal.setHardState(new HardState(2, "n3", 590));
      wal.sync();
      int before = wal.segmentCount();
      assertTrue(before >= 4, "segments: " + before);
      wal.compact(450);
      assertTrue(wal.segmentCount() < before, "compaction deleted no segment");
      assertEquals(451, wal.firstIndex());
      assertEquals(new SnapshotMeta(450, 2, FOUR), wal.compactionPoint());
      assertEquals(2, wal.term(450));
      assertThrows(LogCompactedException.class, () -> wal.term(449));
      assertThrows(LogCompactedException.class, () -> wal.entries(450, 452, 1000));
      assertEquals(before - wal.segmentCount(), before - SegmentFiles.list(dir).size(), "files really deleted");
    }
    try (Wal wal = Wal.open(options())) {
      assertEquals(451, wal.firstIndex());
      assertEquals(600, wal.lastIndex());
      assertEquals(new SnapshotMeta(450, 2, FOUR), wal.compactionPoint());
      assertEquals(FOUR, wal.latestConfState());
      assertEquals(new HardState(2, "n3", 590), wal.hardState(), "hard state survives deletion of its segment");
      assertEquals(entries(2, 451, 600), wal.entries(451, 601, Long.MAX_VALUE));
    }
  }

  @Test
  void compactionPointRecordsTheMembershipAsOfItsIndex() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(List.of(new Entry(1, 1, EntryType.CONFIG, THREE.encode())));
      wal.append(entries(1, 2, 10));
      wal.append(List.of(new Entry(1, 11, EntryType.CONFIG, FOUR.encode())));
      wal.sync();
      wal.compact(5);
      assertEquals(THREE, wal.compactionPoint().conf());
      assertEquals(FOUR, wal.latestConfState());
    }
    try (Wal wal = Wal.open(options())) {
      assertEquals(new SnapshotMeta(5, 1, THREE), wal.compactionPoint());
      assertEquals(FOUR, wal.latestConfState());
    }
  }

  @Test
  void compactingEverythingLeavesAnEmptyLogThatContinues() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 1, 400));
      wal.sync();
      wal.compact(400);
      assertEquals(401, wal.firstIndex());
      assertEquals(400, wal.lastIndex());
      assertEquals(1, wal.term(400));
      assertThrows(IllegalArgumentException.class, () -> wal.compact(401));
    }
    try (Wal wal = Wal.open(options())) {
      assertEquals(400, wal.lastIndex());
      wal.append(entries(3, 401, 402));
      wal.sync();
    }
    try (Wal wal = Wal.open(options())) {
      assertEquals(entries(3, 401, 402), wal.entries(401, 403, 1000));
    }
  }

  @Test
  void overwriteBelowTheFirstRemainingSegmentStartReplaysCorrectly() throws Exception {
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 1, 200));
      wal.sync();
      wal.append(entries(2, 150, 350)); // conflict: replaces 150..200, spans new segments
      wal.sync();
      wal.compact(300);
    }
    try (Wal wal = Wal.open(options())) {
      assertEquals(301, wal.firstIndex());
      assertEquals(350, wal.lastIndex());
      assertEquals(entries(2, 301, 350), wal.entries(301, 351, Long.MAX_VALUE));
    }
  }

  @Test
  void installSnapshotResetsTheLogDurably() throws Exception {
    SnapshotMeta snap = new SnapshotMeta(1000, 7, FOUR);
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 1, 300));
      wal.setHardState(new HardState(7, "n2", 250));
      wal.sync();
      wal.installSnapshot(snap);
      assertEquals(1, wal.segmentCount());
      assertEquals(1001, wal.firstIndex());
      assertEquals(1000, wal.lastIndex());
      assertEquals(7, wal.term(1000));
      assertEquals(new HardState(7, "n2", 1000), wal.hardState());
      wal.append(entries(7, 1001, 1005));
      wal.sync();
    }
    try (Wal wal = Wal.open(options())) {
      assertEquals(snap, wal.compactionPoint());
      assertEquals(FOUR, wal.latestConfState());
      assertEquals(new HardState(7, "n2", 1000), wal.hardState());
      assertEquals(entries(7, 1001, 1005), wal.entries(1001, 1006, Long.MAX_VALUE));
      assertThrows(IllegalArgumentException.class, () -> wal.installSnapshot(new SnapshotMeta(999, 7, FOUR)));
    }
  }

  @Test
  void crashBeforeOldSegmentsAreDeletedStillReplaysTheSnapshotReset() throws Exception {
    Path copy = dir.resolve("with-old-segments");
    try (Wal wal = Wal.open(options())) {
      wal.append(entries(1, 1, 300));
      wal.sync();
      WalTestSupport.copyDir(dir, copy.resolve("pre"));
      wal.installSnapshot(new SnapshotMeta(100, 1, THREE));
    }
    // Simulate the crash: the new reset segment exists, the old ones were never deleted.
    WalTestSupport.copyDir(dir, copy.resolve("crashed"));
    for (Path p : SegmentFiles.list(copy.resolve("pre")).values()) {
      java.nio.file.Files.copy(p, copy.resolve("crashed").resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    try (Wal wal = Wal.open(WalTestSupport.small(copy.resolve("crashed"), Preallocation.ZERO_FILL))) {
      assertEquals(101, wal.firstIndex());
      assertEquals(100, wal.lastIndex(), "entries 101..300 of the old log must not come back");
    }
  }
}
