package leasekv.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import leasekv.wal.RecordCodec.RecordHeader;

/**
 * Reads one segment file at open and decides where its valid data ends.
 *
 * <p>A sealed segment (not the last) was fsynced whole before any later segment received data, so
 * every byte of it must be valid up to an all-zero remainder; anything else is corruption.
 *
 * <p>The last segment may end in a torn write. Lost writes read back as zeros (segments are
 * zero-filled or fallocated) or lie past EOF, in units of a disk sector or a suffix of a write. So
 * damage at offset X is a torn tail only if (1) no intact record after X says the segment had been
 * synced past X, and (2) the damage shows a lost write: a zero sector (or the zeroed first partial
 * sector), a zero trailer, or a record running past EOF. A flipped bit shows neither and is reported
 * as corruption, with the file and X.
 */
final class SegmentScanner {
  static final int SECTOR_BYTES = 512;

  interface Visitor {
    void record(long offsetBytes, RecordType type, ByteBuffer payload) throws WalCorruptionException;
  }

  /**
   * @param validEnd where the last intact record ends (new records go here)
   * @param fileSize the file's size
   * @param dataEnd where the last non-zero byte ends; past validEnd only for a torn tail
   * @param torn the torn tail found, or null
   */
  record Result(SegmentHeader header, long validEnd, long fileSize, long dataEnd, TornTail torn) {}

  private SegmentScanner() {}

  static Result scan(Path file, long expectedSeq, boolean last, Visitor visitor) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
    long size = buf.limit();
    SegmentHeader header;
    try {
      header = SegmentHeader.decode(buf);
    } catch (IllegalArgumentException e) {
      throw new WalCorruptionException(file, 0, e.getMessage());
    }
    if (header.seq() != expectedSeq) {
      throw new WalCorruptionException(file, 16, "header says segment " + header.seq() + ", file name says " + expectedSeq);
    }
    int salt = header.salt();
    long off = SegmentHeader.BYTES;
    RecordHeader start = RecordCodec.readValid(buf, off, size, salt);
    if (start == null || start.type() != RecordType.SEGMENT_START) {
      throw new WalCorruptionException(file, off, "missing or damaged segment start record");
    }
    for (RecordHeader r = start; r != null; r = RecordCodec.readValid(buf, off, size, salt)) {
      visitor.record(off, r.type(), RecordCodec.payload(buf, off, r));
      off += r.totalLength();
    }
    long dataEnd = endOfNonZero(buf, off);
    if (dataEnd == off) return new Result(header, off, size, dataEnd, null);
    if (!last) {
      throw new WalCorruptionException(file, off, "damaged record in a sealed segment (only the last segment may be torn)");
    }
    return new Result(header, off, size, dataEnd, classifyTail(file, buf, off, dataEnd, salt));
  }

  /** Returns the torn tail starting at {@code x}, or throws if the damage is corruption. */
  private static TornTail classifyTail(Path file, ByteBuffer buf, long x, long dataEnd, int salt)
      throws WalCorruptionException {
    long size = buf.limit();
    long firstLater = -1;
    int laterCount = 0;
    for (long p = x + 1; p + RecordCodec.FRAME_BYTES <= size && p < dataEnd; ) {
      RecordHeader r = RecordCodec.readValid(buf, p, size, salt);
      if (r == null) {
        p++;
        continue;
      }
      if (r.syncedOffset() > x) {
        throw new WalCorruptionException(file, x, "damaged record, but the intact record at byte offset " + p
            + " was written after this segment was synced up to byte " + r.syncedOffset()
            + ", so the damaged bytes had been synced (acknowledged data lost)");
      }
      if (firstLater < 0) firstLater = p;
      laterCount++;
      p += r.totalLength();
    }
    if (!showsLostWrite(buf, x, firstLater, dataEnd)) {
      throw new WalCorruptionException(file, x, "damaged record that no torn write explains (no lost sector, "
          + "intact end" + (laterCount > 0 ? ", " + laterCount + " intact records follow" : "")
          + "): the synced log is corrupt");
    }
    return new TornTail(file, x, dataEnd - x, laterCount);
  }

  /** Whether the damage at {@code x} can be the result of writes that never reached the disk. */
  private static boolean showsLostWrite(ByteBuffer buf, long x, long firstLater, long dataEnd) {
    long size = buf.limit();
    if (firstLater < 0) {
      int len = RecordCodec.plausiblePayloadLength(buf, x, size);
      // Header unreadable: torn if the data stops before any record could end (its suffix is lost).
      if (len < 0) return dataEnd < x + RecordCodec.FRAME_BYTES || hasLostSector(buf, x, dataEnd);
      long end = x + RecordCodec.FRAME_BYTES + len;
      if (end > size) return true; // runs past EOF: its end was never written
      return buf.get((int) end - 1) == 0 || hasLostSector(buf, x, end);
    }
    // Intact records follow. Trust the declared lengths (and so the trailers) only if they chain
    // exactly to the next intact record, so a flipped length bit cannot point at a zero "trailer".
    java.util.List<Long> ends = new java.util.ArrayList<>();
    long p = x;
    while (p < firstLater) {
      int len = RecordCodec.plausiblePayloadLength(buf, p, size);
      if (len < 0) break;
      p += RecordCodec.FRAME_BYTES + len;
      ends.add(p);
    }
    if (p == firstLater) {
      for (long end : ends) {
        if (buf.get((int) end - 1) == 0) return true;
      }
    }
    return hasLostSector(buf, x, firstLater);
  }

  /** A sector-aligned piece of {@code [from, to)} that reads all zero: a sector whose write was lost. */
  private static boolean hasLostSector(ByteBuffer buf, long from, long to) {
    long boundary = (from / SECTOR_BYTES + 1) * SECTOR_BYTES;
    if (allZero(buf, from, Math.min(boundary, to))) return true;
    for (long b = boundary; b < to; b += SECTOR_BYTES) {
      if (allZero(buf, b, Math.min(b + SECTOR_BYTES, to))) return true;
    }
    return false;
  }

  private static boolean allZero(ByteBuffer buf, long from, long to) {
    if (from >= to) return false;
    for (long i = from; i < to; i++) {
      if (buf.get((int) i) != 0) return false;
    }
    return true;
  }

  /** End of the last non-zero byte at or after {@code from}; {@code from} when all are zero. */
  static long endOfNonZero(ByteBuffer buf, long from) {
    for (long i = buf.limit() - 1; i >= from; i--) {
      if (buf.get((int) i) != 0) return i + 1;
    }
    return from;
  }
}
