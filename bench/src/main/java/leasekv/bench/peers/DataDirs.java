package leasekv.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing a benchmark's data directories. */
final class DataDirs {
  private DataDirs() {}

  /** Deletes everything under {@code root} (not root itself); a missing root is fine. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        if (!p.equals(root)) Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Deletes everything under {@code root} once a system has stopped, except the process logs the
   * benchmark writes there ({@code root/*.log}, e.g. n1.log, redis.log), kept for a look afterwards: a
   * full benchmark otherwise leaves ~2 GB of state behind. Deeper *.log files are data (RocksDB's
   * WAL). A missing root is fine.
   */
  static void deleteAllButLogs(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        boolean processLog = root.equals(p.getParent()) && p.getFileName().toString().endsWith(".log")
            && Files.isRegularFile(p);
        if (!p.equals(root) && !processLog) Files.deleteIfExists(p);
      }
    }
  }

  /** Bytes under {@code root}. */
  static long sizeBytes(Path root) throws IOException {
    if (!Files.exists(root)) return 0;
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
