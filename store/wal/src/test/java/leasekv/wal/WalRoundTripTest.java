package leasekv.wal;

import static leasekv.wal.WalTestSupport.entries;
import static leasekv.wal.WalTestSupport.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.HardState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalRoundTripTest {
  @TempDir Path dir;

  @Test
  void entriesAndHardStateRoundTripAndSurviveRestart() throws Exception {
    List<Entry> written = entries(1, 1, 50);
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      assertEquals(0, wal.lastIndex());
      assertEquals(1, wal.firstIndex());
      wal.append(written);
      wal.setHardState(new HardState(3, "n2", 40));
      wal.sync();
      assertEquals(written, wal.entries(1, 51, Long.MAX_VALUE));
      assertEquals(50, wal.durableLastIndex());
    }
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      assertNull(wal.recoveryReport().tornTail());
      assertEquals(1, wal.firstIndex());
      assertEquals(50, wal.lastIndex());
      assertEquals(written, wal.entries(1, 51, Long.MAX_VALUE));
      assertEquals(new HardState(3, "n2", 40), wal.hardState());
      assertEquals(1, wal.term(50));
      assertEquals(0, wal.term(0));
    }
  }

  @Test
  void binaryDataEmptyDataAndEntryTypesSurvive() throws Exception {
    byte[] binary = new byte[70_000];
    for (int i = 0; i < binary.length; i++) binary[i] = (byte) (i * 31);
    ConfState conf = new ConfState(List.of("n1", "n2", "n3"));
    List<Entry> written = List.of(
        Entry.noop(1, 1), Entry.normal(1, 2, binary), Entry.normal(1, 3, new byte[0]),
        new Entry(2, 4, EntryType.CONFIG, conf.encode()));
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      wal.append(written);
      wal.sync();
    }
    try (Wal wal = Wal.open(WalOptions.defaults(dir).withCacheMaxBytes(0))) { // every read from disk
      assertEquals(written, wal.entries(1, 5, Long.MAX_VALUE));
      assertEquals(conf, wal.latestConfState());
    }
  }

  @Test
  void overwritingASuffixIsDurableAcrossRestart() throws Exception {
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      wal.append(entries(1, 1, 10));
      wal.sync();
      wal.append(entries(2, 6, 8)); // conflict at 6: 6..10 of term 1 are replaced by 6..8 of term 2
      wal.sync();
      assertEquals(8, wal.lastIndex());
    }
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      assertEquals(8, wal.lastIndex());
      assertEquals(1, wal.term(5));
      assertEquals(2, wal.term(6));
      assertEquals(entry(2, 8), wal.entries(8, 9, 1000).get(0));
      wal.append(entries(2, 9, 9));
      wal.sync();
    }
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      assertEquals(9, wal.lastIndex());
      assertEquals(entry(1, 5), wal.entries(5, 6, 1000).get(0));
    }
  }

  @Test
  void unsyncedOverwriteLowersTheDurableLastIndexUntilSynced() throws Exception {
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      wal.append(entries(1, 1, 10));
      wal.sync();
      wal.append(entries(2, 4, 12));
      assertEquals(3, wal.durableLastIndex(), "4..10 on disk are still the old term-1 entries");
      wal.sync();
      assertEquals(12, wal.durableLastIndex());
    }
  }

  @Test
  void entriesRespectsMaxBytesButReturnsAtLeastOne() throws Exception {
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      wal.append(entries(1, 1, 10));
      int one = entry(1, 1).sizeBytes();
      assertEquals(1, wal.entries(1, 11, 0).size());
      assertEquals(3, wal.entries(1, 11, 3L * one).size());
      assertThrows(LogUnavailableException.class, () -> wal.entries(1, 12, 1000));
      assertThrows(LogUnavailableException.class, () -> wal.term(11));
    }
  }

  @Test
  void badAppendsAreRejectedWithAClearMessage() throws Exception {
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      wal.append(entries(2, 1, 3));
      IllegalArgumentException gap = assertThrows(IllegalArgumentException.class, () -> wal.append(entries(2, 5, 5)));
      assertTrue(gap.getMessage().contains("gap"), gap.getMessage());
      IllegalArgumentException term = assertThrows(IllegalArgumentException.class, () -> wal.append(entries(1, 4, 4)));
      assertTrue(term.getMessage().contains("term"), term.getMessage());
      assertEquals(3, wal.lastIndex());
    }
  }

  @Test
  void noFsyncModeNeverFsyncsOnSync() throws Exception {
    try (Wal wal = Wal.open(WalOptions.defaults(dir).withNoFsync(true))) {
      long before = wal.stats().fsyncCount(FsyncKind.SYNC);
      for (int i = 1; i <= 20; i++) {
        wal.append(entries(1, i, i));
        wal.sync();
      }
      assertEquals(before, wal.stats().fsyncCount(FsyncKind.SYNC));
      assertEquals(20, wal.durableLastIndex());
    }
    try (Wal wal = Wal.open(WalOptions.defaults(dir))) {
      assertEquals(20, wal.lastIndex(), "a process crash loses nothing: the bytes were written");
      wal.append(entries(1, 21, 21));
      wal.sync();
      assertEquals(1, wal.stats().fsyncCount(FsyncKind.SYNC));
    }
  }

  @Test
  void everyPreallocationModeWorks() throws Exception {
    for (Preallocation mode : Preallocation.values()) {
      Path d = dir.resolve(mode.name());
      try (Wal wal = Wal.open(WalTestSupport.small(d, mode))) {
        for (int i = 1; i <= 200; i++) {
          wal.append(entries(1, i, i));
          wal.sync();
        }
        assertTrue(wal.segmentCount() > 1, mode + ": expected rollover");
      }
      try (Wal wal = Wal.open(WalTestSupport.small(d, mode))) {
        assertEquals(entries(1, 1, 200), wal.entries(1, 201, Long.MAX_VALUE), mode.name());
      }
    }
  }
}
