package leasekv.wal;

import static leasekv.wal.WalTestSupport.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spare segments: with zero-fill a spare is always being prepared (at open, and again after each
 * rollover claims one), the first segment is zero-filled inline, an unclaimed spare is deleted at
 * close, and without preallocation no spare is ever made.
 */
class SegmentSparesTest {
  private static final int SEGMENT_BYTES = 8192;
  private static final long WAIT_MILLIS = 20_000;
  @TempDir Path dir;

  private WalOptions options(Preallocation mode) {
    return WalTestSupport.small(dir, mode);
  }

  private List<Path> temps() throws IOException {
    return SegmentFiles.leftoverTempFiles(dir);
  }

  /** Waits until a spare other than {@code except} is complete (full size; its fsync follows at once). */
  private Path readySpare(Optional<Path> except) throws Exception {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      for (Path t : temps()) {
        if (t.getFileName().toString().startsWith("spare-") && !Optional.of(t).equals(except)
            && Files.exists(t) && Files.size(t) == SEGMENT_BYTES) {
          Thread.sleep(300); // the zero-fill's fsync and the task's return
          return t;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no spare segment prepared within " + WAIT_MILLIS + " ms; temp files: " + temps());
  }

  @Test
  void theFirstSegmentIsZeroFilledInline() throws Exception {
    try (Wal wal = Wal.open(options(Preallocation.ZERO_FILL))) {
      assertEquals(SEGMENT_BYTES, Files.size(WalTestSupport.lastSegment(dir)));
    }
  }

  @Test
  void aSpareIsPreparedAtOpenAndAgainAfterARolloverClaimsIt() throws Exception {
    try (Wal wal = Wal.open(options(Preallocation.ZERO_FILL))) {
      wal.append(entries(1, 1, 1));
      readySpare(Optional.empty());
    }
    assertEquals(List.of(), temps(), "close deletes the unclaimed finished spare");
    try (Wal wal = Wal.open(options(Preallocation.ZERO_FILL))) {
      Path first = readySpare(Optional.empty()); // reopening an existing log prepares one too
      long i = 2;
      while (wal.segmentCount() == 1) {
        wal.append(entries(1, i, i));
        i++;
      }
      assertTrue(Files.notExists(first), "the rollover claimed the spare");
      readySpare(Optional.of(first));
    }
    assertEquals(List.of(), temps());
  }

  @Test
  void withoutPreallocationTheFirstSegmentHoldsOnlyWhatIsWritten() throws Exception {
    try (Wal wal = Wal.open(options(Preallocation.NONE))) {
      wal.append(entries(1, 1, 1));
      wal.sync();
      List<WalTestSupport.RecordSpan> records = WalTestSupport.records(WalTestSupport.lastSegment(dir));
      assertEquals(records.get(records.size() - 1).end(), Files.size(WalTestSupport.lastSegment(dir)));
    }
  }

  @Test
  void withoutPreallocationNoSpareIsEverMade() throws Exception {
    try (Wal wal = Wal.open(options(Preallocation.NONE))) {
      long i = 1;
      while (wal.segmentCount() < 3) {
        wal.append(entries(1, i, i));
        i++;
      }
      Thread.sleep(500);
      assertEquals(List.of(), temps());
    }
  }
}
