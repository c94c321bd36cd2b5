package leasekv.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import leasekv.raft.Entry;

/** Helpers shared by the WAL tests. */
final class WalTestSupport {
  private WalTestSupport() {}

  static Entry entry(long term, long index) {
    return Entry.normal(term, index, ("value-" + index + "-t" + term).getBytes(StandardCharsets.UTF_8));
  }

  static List<Entry> entries(long term, long from, long toInclusive) {
    List<Entry> out = new ArrayList<>();
    for (long i = from; i <= toInclusive; i++) out.add(entry(term, i));
    return out;
  }

  static WalOptions small(Path dir, Preallocation mode) {
    return WalOptions.defaults(dir).withSegmentSizeBytes(8192).withPreallocation(mode);
  }

  static void copyDir(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  static Path lastSegment(Path dir) throws IOException {
    return SegmentFiles.list(dir).lastEntry().getValue();
  }

  /** A record's place in a segment file. */
  record RecordSpan(long offset, int length, RecordType type) {
    long end() {
      return offset + length;
    }
  }

  /** Every intact record of a segment, in order. */
  static List<RecordSpan> records(Path segment) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(segment));
    int salt = SegmentHeader.decode(buf).salt();
    List<RecordSpan> out = new ArrayList<>();
    long off = SegmentHeader.BYTES;
    for (RecordCodec.RecordHeader h; (h = RecordCodec.readValid(buf, off, buf.limit(), salt)) != null; off += h.totalLength()) {
      out.add(new RecordSpan(off, h.totalLength(), h.type()));
    }
    return out;
  }

  static List<RecordSpan> entryRecords(Path segment) throws IOException {
    return records(segment).stream().filter(r -> r.type() == RecordType.ENTRY).toList();
  }

  static void xorByte(Path file, long offset, int mask) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[(int) offset] ^= (byte) mask;
    Files.write(file, b);
  }

  /** Appends and syncs one entry at a time from index {@code from} until the log spans {@code count} segments; returns the next index. */
  static long appendSyncedUntilSegments(Wal wal, int count, long from) throws IOException {
    long i = from;
    while (wal.segmentCount() < count) {
      wal.append(entries(1, i, i));
      wal.sync();
      i++;
    }
    return i;
  }
}
