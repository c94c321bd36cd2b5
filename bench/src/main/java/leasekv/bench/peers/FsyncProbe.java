package leasekv.bench.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The disk's limit for a log: one thread writing 4 KiB and calling {@code force(false)}
 * (fdatasync), as the WAL does, on the filesystem that holds the nodes' data. Two files: a
 * zero-filled one overwritten in place (what the WAL's preallocated segments give) and one that
 * grows with each write.
 */
final class FsyncProbe {
  private static final int BLOCK_BYTES = 4096;
  private static final long FILE_BYTES = 64L << 20;

  record Result(double overwriteSyncsPerSecond, double appendSyncsPerSecond) {}

  private FsyncProbe() {}

  static Result measure(Path dir, double seconds) throws IOException {
    Files.createDirectories(dir);
    Path preallocated = dir.resolve("fsync-probe-zero-filled");
    Path growing = dir.resolve("fsync-probe-appended");
    try {
      zeroFill(preallocated);
      double overwrite = syncsPerSecond(preallocated, seconds, StandardOpenOption.WRITE);
      Files.deleteIfExists(growing);
      double append = syncsPerSecond(growing, seconds, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      return new Result(overwrite, append);
    } finally {
      Files.deleteIfExists(preallocated);
      Files.deleteIfExists(growing);
    }
  }

  private static void zeroFill(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
      for (long off = 0; off < FILE_BYTES; off += zeros.capacity()) {
        zeros.clear();
        while (zeros.hasRemaining()) ch.write(zeros, off + zeros.position());
      }
      ch.force(true);
    }
  }

  private static double syncsPerSecond(Path file, double seconds, StandardOpenOption... options) throws IOException {
    ByteBuffer block = ByteBuffer.allocateDirect(BLOCK_BYTES);
    for (int i = 0; i < BLOCK_BYTES; i++) block.put(i, (byte) ('a' + i % 26));
    try (FileChannel ch = FileChannel.open(file, options)) {
      long start = System.nanoTime();
      long deadline = start + (long) (seconds * 1e9);
      long syncs = 0;
      long offset = 0;
      while (System.nanoTime() < deadline && offset + BLOCK_BYTES <= FILE_BYTES) {
        block.clear();
        while (block.hasRemaining()) ch.write(block, offset + block.position());
        ch.force(false);
        offset += BLOCK_BYTES;
        syncs++;
      }
      return syncs / ((System.nanoTime() - start) / 1e9);
    }
  }
}
