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

  /** Bytes under {@code root}. */
  static long sizeBytes(Path root) throws IOException {
    if (!Files.exists(root)) return 0;
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
