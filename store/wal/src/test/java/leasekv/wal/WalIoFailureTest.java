package leasekv.wal;

import static leasekv.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.List;
import leasekv.raft.Entry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a failed write or fsync the WAL never writes again (the page cache may have dropped the
 * data: retrying an fsync can report success for lost pages). The failure is made by closing the
 * current segment's channel underneath the WAL, so its next write or fsync throws.
 */
class WalIoFailureTest {
  private static final String FAILED = "WAL failed earlier and accepts no more writes";
  @TempDir Path dir;

  private Wal open() throws IOException {
    return Wal.open(WalTestSupport.small(dir, Preallocation.NONE));
  }

  private static void breakCurrentSegment(Wal wal) throws Exception {
    Field current = Wal.class.getDeclaredField("current");
    current.setAccessible(true);
    ((Segment) current.get(wal)).channel.close();
  }

  private static void assertRefusesWrites(Wal wal) {
    IOException e = assertThrows(IOException.class, () -> wal.append(entries(1, 50, 50)));
    assertEquals(FAILED, e.getMessage());
    assertTrue(e.getCause() instanceof ClosedChannelException, "the first failure is kept as the cause");
    e = assertThrows(IOException.class, wal::sync);
    assertEquals(FAILED, e.getMessage());
  }

  @Test
  void aFailedWriteStopsEveryLaterWrite() throws Exception {
    Wal wal = open();
    wal.append(entries(1, 1, 3));
    breakCurrentSegment(wal);
    assertThrows(ClosedChannelException.class, wal::sync);
    assertRefusesWrites(wal);
    wal.close(); // after a failure nothing more is flushed: closing succeeds
  }

  @Test
  void aFailedFsyncStopsEveryLaterWrite() throws Exception {
    Wal wal = open();
    wal.append(entries(1, 1, 3));
    wal.writeUnsynced(); // written; only the fsync is left
    breakCurrentSegment(wal);
    assertThrows(ClosedChannelException.class, wal::sync);
    assertRefusesWrites(wal);
    wal.close();
  }

  @Test
  void aFailedSealStopsEveryLaterWrite() throws Exception {
    Wal wal = open();
    wal.append(entries(1, 1, 1));
    wal.writeUnsynced();
    breakCurrentSegment(wal);
    // Does not fit the 8 KiB segment: the rollover's seal fsync fails.
    assertThrows(ClosedChannelException.class, () -> wal.append(List.of(Entry.normal(1, 2, new byte[9000]))));
    assertRefusesWrites(wal);
    wal.close();
  }

  @Test
  void closeReportsAWriteThatFailsAtClose() throws Exception {
    Wal wal = open();
    wal.append(entries(1, 1, 3));
    breakCurrentSegment(wal);
    assertThrows(ClosedChannelException.class, wal::close);
  }
}
