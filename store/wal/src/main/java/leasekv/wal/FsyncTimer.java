package leasekv.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Runs fsyncs, times them and reports them to the stats and the node's listener. */
final class FsyncTimer {
  private final WalMetrics listener;
  private final WalStats stats;

  FsyncTimer(WalMetrics listener, WalStats stats) {
    this.listener = listener;
    this.stats = stats;
  }

  void force(FileChannel ch, boolean metadata, FsyncKind kind) throws IOException {
    long t0 = System.nanoTime();
    ch.force(metadata);
    report(kind, System.nanoTime() - t0);
  }

  /** Makes creations, renames and deletions in {@code dir} durable. */
  void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      force(ch, true, FsyncKind.STRUCTURE);
    }
  }

  /**
   * Creates {@code dir} and any missing parents, and fsyncs each new directory's parent: a new
   * directory entry is not durable until its parent is synced, and without it a power loss can
   * erase the whole log (lazyfs shows this).
   */
  void createDirectoriesDurably(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    if (Files.isDirectory(abs)) return;
    createDirectoriesDurably(abs.getParent());
    Files.createDirectory(abs);
    forceDirectory(abs);
    forceDirectory(abs.getParent());
  }

  void report(FsyncKind kind, long durationNanos) {
    stats.onFsync(kind, durationNanos);
    listener.onFsync(kind, durationNanos);
  }
}
