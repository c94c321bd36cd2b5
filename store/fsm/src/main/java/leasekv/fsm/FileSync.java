package leasekv.fsm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/** fsync of files and directories: what makes a checkpoint durable before the log is truncated. */
public final class FileSync {
  private FileSync() {}

  public static void fsync(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) { // fsync works on a read-only fd
      ch.force(true);
    }
  }

  /** Every regular file directly in {@code dir}, then {@code dir} itself. */
  public static void fsyncTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) fsync(p);
      }
    }
    fsync(dir);
  }

  /**
   * Creates {@code dir} and any missing parents, fsyncing each new directory's parent: a new
   * directory entry is not durable until its parent is synced.
   */
  public static void createDirectoriesDurably(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath();
    if (Files.isDirectory(abs)) return;
    createDirectoriesDurably(abs.getParent());
    Files.createDirectory(abs);
    fsync(abs);
    fsync(abs.getParent());
  }

  /** Deletes {@code dir} and everything below it; nothing if it does not exist. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) Files.delete(p);
    }
  }
}
