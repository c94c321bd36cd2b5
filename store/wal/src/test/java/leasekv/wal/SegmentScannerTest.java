package leasekv.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import leasekv.raft.Entry;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The torn-tail classification on byte layouts built record by record: which damage a lost write
 * explains (torn tail, truncated) and which only corruption does (refused), at each boundary of the
 * rules in {@link SegmentScanner}.
 */
class SegmentScannerTest {
  private static final int SALT = 0x5EED;
  private static final int SECTOR = SegmentScanner.SECTOR_BYTES;
  @TempDir Path dir;

  /** A segment's bytes: header, start record, then whatever the test appends. */
  private static final class Layout {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Layout() {
      bytes.writeBytes(new SegmentHeader(1, SALT).encode());
      bytes.writeBytes(RecordCodec.encodeSegmentStart(new SegmentStart(false, 0, 0, SnapshotMeta.EMPTY, HardState.EMPTY), SALT));
    }

    /** Appends entry {@code index} with {@code dataBytes} bytes of 0x11 and returns its offset. */
    long entry(long index, int dataBytes, long syncedOffset) {
      long at = bytes.size();
      byte[] data = new byte[dataBytes];
      Arrays.fill(data, (byte) 0x11);
      bytes.writeBytes(RecordCodec.encodeEntry(Entry.normal(0x0101, index, data), SALT, (int) syncedOffset));
      return at;
    }

    /** Adds an intact filler entry so that the next record starts {@code k} bytes after a sector boundary. */
    void padTo(int k) {
      int frame = RecordCodec.FRAME_BYTES + 17;
      entry(1, Math.floorMod(k - bytes.size() - frame, SECTOR), 0);
    }

    long size() {
      return bytes.size();
    }

    byte[] array() {
      return bytes.toByteArray();
    }
  }

  private SegmentScanner.Result scan(byte[] file) throws Exception {
    Path p = dir.resolve("segment-" + System.nanoTime() + ".wal");
    Files.write(p, file);
    return SegmentScanner.scan(p, 1, true, (off, type, payload) -> {});
  }

  private WalCorruptionException refused(byte[] file) {
    return assertThrows(WalCorruptionException.class, () -> scan(file));
  }

  private static byte[] withZeros(byte[] file, long from, long to) {
    byte[] out = file.clone();
    Arrays.fill(out, (int) from, (int) to, (byte) 0);
    return out;
  }

  private static byte[] withZeroTail(byte[] file, int zeros) {
    return Arrays.copyOf(file, file.length + zeros);
  }

  /** The first sector boundary strictly after {@code offset}. */
  private static long sectorAfter(long offset) {
    return (offset / SECTOR + 1) * SECTOR;
  }

  @Test
  void aLostSectorCoveredByALaterRecordsSyncedOffsetIsCorruption() throws Exception {
    Layout log = new Layout();
    log.padTo(100);
    long damaged = log.entry(1, 1500, 0);
    log.entry(2, 40, damaged + 1); // written after the segment was synced past the damaged record's start
    byte[] file = withZeros(log.array(), sectorAfter(damaged), sectorAfter(damaged) + SECTOR);
    WalCorruptionException e = refused(file);
    assertEquals(damaged, e.offsetBytes());
    assertTrue(e.getMessage().contains("was written after this segment was synced up to byte " + (damaged + 1)), e.getMessage());
  }

  @Test
  void aLaterRecordSyncedExactlyUpToTheDamagedOneLeavesATornTail() throws Exception {
    Layout log = new Layout();
    log.padTo(100);
    long damaged = log.entry(1, 1500, 0);
    log.entry(2, 40, damaged); // the segment was synced up to the damaged record, not into it
    byte[] file = withZeros(log.array(), sectorAfter(damaged), sectorAfter(damaged) + SECTOR);
    SegmentScanner.Result r = scan(file);
    assertNotNull(r.torn());
    assertEquals(damaged, r.validEnd());
    assertEquals(1, r.torn().discardedIntactRecords());
    assertEquals(log.size() - damaged, r.torn().discardedBytes());
  }

  @Test
  void corruptionNamesHowManyIntactRecordsFollowAndOnlyWhenSomeDo() throws Exception {
    Layout log = new Layout();
    long damaged = log.entry(1, 40, 0);
    log.entry(2, 40, 0);
    log.entry(3, 40, 0);
    byte[] file = log.array();
    file[(int) damaged + 20] ^= 0x04; // a flipped bit: no zeros appear
    assertTrue(refused(file).getMessage().contains("(no lost sector, intact end, 2 intact records follow)"));

    Layout last = new Layout();
    long only = last.entry(1, 40, 0);
    byte[] lastFile = withZeroTail(last.array(), 100);
    lastFile[(int) only + 20] ^= 0x04;
    String message = refused(lastFile).getMessage();
    assertTrue(message.contains("(no lost sector, intact end)"), message);
    assertFalse(message.contains("records follow"), message);
  }

  @Test
  void aDamagedRecordEndingExactlyAtEndOfFileIsCorruptionNotARecordRunningPastIt() throws Exception {
    Layout log = new Layout();
    long last = log.entry(1, 40, 0);
    byte[] file = log.array(); // no preallocated zeros: the record's trailer is the file's last byte
    file[(int) last + 20] ^= 0x04;
    assertEquals(last, refused(file).offsetBytes());
    assertNotNull(scan(Arrays.copyOf(log.array(), (int) log.size() - 1)).torn(), "one byte short: its end was never written");
  }

  @Test
  void aZeroTrailerAloneShowsTheRecordsEndWasLost() throws Exception {
    Layout log = new Layout();
    log.padTo(SECTOR - 60); // the record crosses a sector boundary, so no piece of it is all zero but the trailer
    long last = log.entry(1, 100, 0);
    byte[] file = withZeroTail(log.array(), 200);
    file[(int) log.size() - 1] = 0;
    SegmentScanner.Result r = scan(file);
    assertNotNull(r.torn());
    assertEquals(last, r.validEnd());
    assertEquals(log.size() - 1 - last, r.torn().discardedBytes());
  }

  @Test
  void anUnreadableHeaderIsTornOnlyIfTheDataStopsBeforeAnyRecordCouldEnd() throws Exception {
    Layout log = new Layout();
    log.padTo(100);
    long last = log.entry(1, 1500, 0);
    byte[] file = withZeroTail(log.array(), 100);
    // The header cut short: the data stops inside the header's frame, so its end was never written.
    byte[] cut = withZeros(file, last + 10, file.length);
    assertNotNull(scan(cut).torn());
    // The same, with exactly one frame's worth of non-zero bytes: a record could have ended there.
    byte[] frame = withZeros(file, last + RecordCodec.FRAME_BYTES, file.length);
    Arrays.fill(frame, (int) last + 4, (int) last + RecordCodec.FRAME_BYTES, (byte) 0x33); // no magic, no zero byte
    assertEquals(last, refused(frame).offsetBytes());
  }

  @Test
  void aLostSectorInsideTheLastRecordWithItsEndIntactIsATornTail() throws Exception {
    Layout log = new Layout();
    log.padTo(100);
    long last = log.entry(1, 1500, 0);
    byte[] file = withZeros(withZeroTail(log.array(), 100), sectorAfter(last), sectorAfter(last) + SECTOR);
    assertTrue(file[(int) log.size() - 1] != 0, "its trailer reached the disk");
    SegmentScanner.Result r = scan(file);
    assertNotNull(r.torn());
    assertEquals(last, r.validEnd());
  }

  @Test
  void anUnreadableHeaderFollowedByALostSectorIsATornTail() throws Exception {
    Layout log = new Layout();
    log.padTo(100);
    long last = log.entry(1, 1500, 0);
    byte[] file = withZeros(withZeroTail(log.array(), 100), sectorAfter(last), sectorAfter(last) + SECTOR);
    file[(int) last + 13] ^= 0x01; // and its magic damaged
    assertNotNull(scan(file).torn());
    byte[] noLostSector = withZeroTail(log.array(), 100);
    noLostSector[(int) last + 13] ^= 0x01;
    assertEquals(last, refused(noLostSector).offsetBytes(), "a damaged header with nothing lost is corruption");
  }

  @Test
  void aPlausibleEmptyRecordWithADamagedCrcIsNotExplainedByALostSectorAfterIt() throws Exception {
    Layout log = new Layout();
    log.padTo(100);
    long x = log.size();
    byte[] empty = new byte[RecordCodec.FRAME_BYTES];
    java.nio.ByteBuffer.wrap(empty).putInt(0x12345678).putInt(0).putInt(0).put(RecordType.HARD_STATE.code).put(new byte[] {'L', 'K', 'W'});
    empty[RecordCodec.FRAME_BYTES - 1] = RecordCodec.TRAILER; // intact end, wrong CRC
    log.bytes.writeBytes(empty);
    byte[] garbage = new byte[3 * SECTOR];
    Arrays.fill(garbage, (byte) 0x44);
    log.bytes.writeBytes(garbage);
    byte[] file = withZeros(log.array(), sectorAfter(x + RecordCodec.FRAME_BYTES), sectorAfter(x + RecordCodec.FRAME_BYTES) + SECTOR);
    assertEquals(x, refused(file).offsetBytes());
  }
  @Test
  void aZeroTrailerThatChainsExactlyToTheNextIntactRecordShowsALostWrite() throws Exception {
    Layout log = new Layout();
    long damaged = log.entry(1, 100, 0);
    long next = log.entry(2, 40, 0); // intact, unsynced: written after the damaged one
    byte[] file = withZeroTail(log.array(), 100);
    file[(int) next - 1] = 0; // only the damaged record's trailer was lost
    assertTrue(file[(int) next + 1] != 0 && file[(int) next] != 0, "the next record's CRC bytes are not zero");
    SegmentScanner.Result r = scan(file);
    assertNotNull(r.torn());
    assertEquals(damaged, r.validEnd());
    assertEquals(1, r.torn().discardedIntactRecords());
  }

  @Test
  void anEmptyRecordWhoseTrailerWasLostChainsToTheNextRecord() throws Exception {
    Layout log = new Layout();
    long x = log.size();
    log.bytes.writeBytes(emptyRecordHeader());
    log.bytes.write(0); // its trailer never reached the disk
    log.entry(2, 40, 0);
    SegmentScanner.Result r = scan(withZeroTail(log.array(), 100));
    assertNotNull(r.torn());
    assertEquals(x, r.validEnd());
  }

  @Test
  void sixteenBytesOfGarbageBeforeAnIntactRecordAreCorruptionEvenEndingInZero() throws Exception {
    Layout log = new Layout();
    long x = log.size();
    byte[] garbage = new byte[16];
    Arrays.fill(garbage, 0, 15, (byte) 0x55);
    log.bytes.writeBytes(garbage); // no header, last byte zero
    log.entry(2, 40, 0);
    assertTrue(x / SECTOR == (x + 15) / SECTOR, "no sector boundary inside the garbage");
    assertEquals(x, refused(withZeroTail(log.array(), 100)).offsetBytes());
  }

  @Test
  void aSegmentWhoseHeaderNamesAnotherSequenceIsRefused() throws Exception {
    Path p = dir.resolve("segment-2.wal");
    Files.write(p, new Layout().array());
    WalCorruptionException e = assertThrows(WalCorruptionException.class, () -> SegmentScanner.scan(p, 2, true, (o, t, b) -> {}));
    assertTrue(e.getMessage().contains("header says segment 1, file name says 2"), e.getMessage());
  }

  @Test
  void aSegmentThatDoesNotBeginWithItsStartRecordIsRefused() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    bytes.writeBytes(new SegmentHeader(1, SALT).encode());
    bytes.writeBytes(RecordCodec.encodeEntry(Entry.normal(1, 1, new byte[8]), SALT, 0)); // intact, but not a start record
    WalCorruptionException e = refused(bytes.toByteArray());
    assertEquals(SegmentHeader.BYTES, e.offsetBytes());
    assertTrue(e.getMessage().contains("missing or damaged segment start record"), e.getMessage());
  }

  /** A plausible header declaring an empty payload, with a CRC that does not match. */
  private static byte[] emptyRecordHeader() {
    byte[] h = new byte[RecordCodec.HEADER_BYTES];
    java.nio.ByteBuffer.wrap(h).putInt(0x12345678).putInt(0).putInt(0).put(RecordType.HARD_STATE.code).put(new byte[] {'L', 'K', 'W'});
    return h;
  }
}
