package leasekv.wal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads every segment at open, replays the records and truncates a torn tail durably. */
final class WalRecovery {
  private static final System.Logger LOG = System.getLogger("leasekv.wal");

  /** Open segments (the last one positioned for appending), the replayed state and the report. */
  record Recovered(TreeMap<Long, Segment> segments, LogReplay state, RecoveryReport report) {}

  private WalRecovery() {}

  static Recovered recover(Path dir, FsyncTimer fsync, EntryCache cache, boolean unsafeKeepTornTail) throws IOException {
    List<Path> temps = SegmentFiles.leftoverTempFiles(dir);
    for (Path t : temps) Files.delete(t);
    TreeMap<Long, Path> files = SegmentFiles.list(dir);
    checkContiguous(dir, files);
    LogReplay replay = new LogReplay(cache);
    TreeMap<Long, Segment> segments = new TreeMap<>();
    TornTail torn = null;
    try {
      for (Map.Entry<Long, Path> f : files.entrySet()) {
        boolean last = f.getKey().equals(files.lastKey());
        replay.beginSegment(f.getValue(), f.getKey());
        long[] start = {-1, -1}; // prevIndex, end offset of the start record
        SegmentScanner.Result r = SegmentScanner.scan(f.getValue(), f.getKey(), last, (off, type, payload) -> {
          replay.record(off, type, payload.duplicate()); // validates and decodes first
          if (type == RecordType.SEGMENT_START) {
            start[0] = RecordCodec.decodeSegmentStart(payload.duplicate()).prevIndex();
            start[1] = off + RecordCodec.FRAME_BYTES + payload.remaining();
          }
        });
        FileChannel ch = FileChannel.open(f.getValue(), StandardOpenOption.READ, StandardOpenOption.WRITE);
        // UNSAFE append-after-torn-tail: the log resumes after the torn bytes instead of over them
        long resumeAt = r.torn() != null && unsafeKeepTornTail ? r.dataEnd() : r.validEnd();
        segments.put(f.getKey(), new Segment(f.getKey(), f.getValue(), r.header().salt(), start[0], start[1], ch, resumeAt));
        if (r.torn() != null) {
          torn = r.torn();
          if (!unsafeKeepTornTail) zeroTail(ch, r.validEnd(), r.dataEnd(), fsync);
          LOG.log(Level.WARNING, torn.toString());
        }
      }
      replay.finish();
    } catch (IOException | RuntimeException e) {
      for (Segment s : segments.values()) s.close();
      throw e;
    }
    if (!temps.isEmpty()) fsync.forceDirectory(dir);
    return new Recovered(segments, replay, new RecoveryReport(files.size(), torn, temps));
  }

  private static void checkContiguous(Path dir, TreeMap<Long, Path> files) throws WalCorruptionException {
    Long prev = null;
    for (Map.Entry<Long, Path> f : files.entrySet()) {
      if (prev != null && f.getKey() != prev + 1) {
        throw new WalCorruptionException(SegmentFiles.segmentPath(dir, prev + 1), 0,
            "segment file missing between " + files.get(prev).getFileName() + " and " + f.getValue().getFileName());
      }
      prev = f.getKey();
    }
  }

  /**
   * Overwrites the torn bytes with zeros and syncs, so that a later recovery cannot mistake their
   * remains for records once new records are written over the start of the torn region.
   */
  private static void zeroTail(FileChannel ch, long from, long to, FsyncTimer fsync) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(1 << 20, to - from));
    for (long p = from; p < to; ) {
      zeros.clear().limit((int) Math.min(zeros.capacity(), to - p));
      p += ch.write(zeros, p);
    }
    fsync.force(ch, false, FsyncKind.STRUCTURE);
  }
}
