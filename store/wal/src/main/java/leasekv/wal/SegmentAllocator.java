package leasekv.wal;

import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Creates segment files. With preallocation, the next segment is prepared ahead of use on a
 * background thread (a {@code spare-N.tmp} file, zero-filled and fsynced); claiming it is a header
 * write, an fsync and a rename. If no spare is ready, the segment starts unpreallocated rather than
 * making the writer wait.
 */
final class SegmentAllocator implements Closeable {
  private static final System.Logger LOG = System.getLogger("leasekv.wal");
  private static final int EOPNOTSUPP = 95;
  private static final SecureRandom SALTS = new SecureRandom();

  private final Path dir;
  private final long segmentSizeBytes;
  private final Preallocation mode;
  private final FsyncTimer fsync;
  private final ExecutorService background;
  private final AtomicLong spareCounter = new AtomicLong();
  private volatile boolean fallocateRefused;
  private Future<Path> spare;

  SegmentAllocator(Path dir, long segmentSizeBytes, Preallocation mode, FsyncTimer fsync) {
    this.dir = dir;
    this.segmentSizeBytes = segmentSizeBytes;
    this.mode = mode;
    this.fsync = fsync;
    this.background = mode == Preallocation.NONE ? null : Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "wal-preallocate");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Creates segment {@code seq} beginning with {@code start}, durably (file and directory synced).
   * The first segment of a new log is preallocated inline; later ones use a spare if one is ready.
   */
  Segment create(long seq, SegmentStart start, boolean inlinePreallocation) throws IOException {
    Path file = takeSpare();
    if (file == null) {
      file = SegmentFiles.tempPath(dir, "segment-new-" + spareCounter.incrementAndGet());
      Files.deleteIfExists(file);
      Files.createFile(file);
      if (inlinePreallocation) preallocate(file);
    }
    int salt = SALTS.nextInt();
    byte[] header = new SegmentHeader(seq, salt).encode();
    byte[] startRecord = RecordCodec.encodeSegmentStart(start, salt);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      ByteBuffer b = ByteBuffer.allocate(header.length + startRecord.length).put(header).put(startRecord).flip();
      long p = 0;
      while (b.hasRemaining()) p += ch.write(b, p);
      fsync.force(ch, true, FsyncKind.STRUCTURE);
      Path target = SegmentFiles.segmentPath(dir, seq);
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
      fsync.forceDirectory(dir);
      prepareSpareAhead();
      return new Segment(seq, target, salt, start.prevIndex(), p, ch, p);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Starts preparing the next spare in the background, if preallocation is on and none is pending. */
  synchronized void prepareSpareAhead() {
    if (background == null || spare != null) return;
    Path file = SegmentFiles.tempPath(dir, "spare-" + spareCounter.incrementAndGet());
    spare = background.submit(() -> {
      Files.deleteIfExists(file);
      Files.createFile(file);
      preallocate(file);
      return file;
    });
  }

  private synchronized Path takeSpare() {
    if (spare == null || !spare.isDone()) return null;
    Future<Path> f = spare;
    spare = null;
    try {
      return f.get();
    } catch (Exception e) { // a failed spare (disk full?) just means an unpreallocated segment
      LOG.log(Level.WARNING, "preparing a WAL spare segment failed: " + e.getCause());
      return null;
    }
  }

  private void preallocate(Path file) throws IOException {
    if (mode == Preallocation.NONE) return; // segments grow as written: not even the first is reserved
    if (!fallocateRefused) {
      int errno = NativeFiles.fallocate(file, segmentSizeBytes);
      if (errno != 0) {
        fallocateRefused = true;
        LOG.log(Level.INFO, "fallocate unavailable in " + dir + " (errno " + errno
            + (errno == EOPNOTSUPP ? ", EOPNOTSUPP" : "") + "); "
            + (mode == Preallocation.ZERO_FILL ? "zero-filling segments instead" : "segments grow as written"));
      }
    }
    if (mode != Preallocation.ZERO_FILL) return;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
      for (long p = 0; p < segmentSizeBytes; ) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), segmentSizeBytes - p));
        p += ch.write(zeros, p);
      }
      ch.force(true); // off the hot path: not reported as a WAL fsync
    }
  }

  /** Stops the background preparation and deletes an unclaimed spare (a temp file, never log data). */
  @Override
  public void close() {
    if (background == null) return;
    background.shutdownNow();
    try {
      if (!background.awaitTermination(30, TimeUnit.SECONDS)) LOG.log(Level.WARNING, "WAL spare preparation did not stop");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Path unclaimed = null;
    synchronized (this) {
      try {
        if (spare != null && spare.isDone()) unclaimed = spare.get();
      } catch (Exception e) { // interrupted by the shutdown: its temp file goes at the next open
      }
      spare = null;
    }
    try {
      if (unclaimed != null) Files.deleteIfExists(unclaimed);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not delete the spare " + unclaimed + ": " + e);
    }
  }
}
