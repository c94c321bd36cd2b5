package leasekv.fsm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state machine directory: {@code ACTIVE} names the live RocksDB directory ({@code db-N}).
 * Replacing the state (snapshot install) moves a fully synced checkpoint to {@code db-N+1} and then
 * atomically rewrites {@code ACTIVE}; a crash at any point leaves either the old or the new state.
 * Staging directories for checkpoints being received live here too, on the same filesystem.
 */
final class FsmDirectory {
  private static final String ACTIVE = "ACTIVE";
  private static final Pattern DB = Pattern.compile("db-(\\d{6})");
  private static final String STAGING_PREFIX = "staging-";

  private final Path dir;

  FsmDirectory(Path dir) throws IOException {
    this.dir = dir;
    FileSync.createDirectoriesDurably(dir);
  }

  /** The live RocksDB directory, creating the pointer on first use; removes leftovers of a crash. */
  Path activeDb() throws IOException {
    Path pointer = dir.resolve(ACTIVE);
    if (!Files.exists(pointer)) {
      Path first = dir.resolve("db-000001");
      point(first);
    }
    String name = Files.readString(pointer, StandardCharsets.UTF_8).trim();
    if (!DB.matcher(name).matches()) throw new IOException("corrupt " + pointer + ": '" + name + "' is not a db directory name");
    Path active = dir.resolve(name);
    removeLeftovers(active);
    FileSync.createDirectoriesDurably(active); // RocksDB syncs its files, not its own directory's entry
    return active;
  }

  /** A fresh empty directory for receiving or building a checkpoint. */
  Path newStagingDir() throws IOException {
    return Files.createTempDirectory(dir, STAGING_PREFIX);
  }

  /**
   * Makes {@code checkpoint} (already fsynced) the live database: moves it into place, repoints
   * ACTIVE durably and deletes the old database. Returns the new live directory.
   */
  Path replaceActive(Path checkpoint, Path oldActive) throws IOException {
    Path next = dir.resolve(String.format("db-%06d", dbNumber(oldActive) + 1));
    FileSync.deleteTree(next);
    try {
      Files.move(checkpoint, next, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) { // another filesystem: copy, then sync what was copied
      Path copying = newStagingDir();
      copyFlat(checkpoint, copying);
      FileSync.fsyncTree(copying);
      Files.move(copying, next, StandardCopyOption.ATOMIC_MOVE);
    }
    FileSync.fsync(dir);
    point(next);
    FileSync.deleteTree(oldActive);
    FileSync.fsync(dir);
    return next;
  }

  private void point(Path db) throws IOException {
    Path tmp = dir.resolve(ACTIVE + ".tmp");
    Files.writeString(tmp, db.getFileName() + "\n", StandardCharsets.UTF_8);
    FileSync.fsync(tmp);
    Files.move(tmp, dir.resolve(ACTIVE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    FileSync.fsync(dir);
  }

  private void removeLeftovers(Path active) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        boolean staleDb = DB.matcher(name).matches() && !p.equals(active);
        if (staleDb || name.startsWith(STAGING_PREFIX) || name.equals(ACTIVE + ".tmp")) FileSync.deleteTree(p);
      }
    }
  }

  private static int dbNumber(Path db) {
    Matcher m = DB.matcher(db.getFileName().toString());
    if (!m.matches()) throw new IllegalArgumentException("not a db directory: " + db);
    return Integer.parseInt(m.group(1));
  }

  static void copyFlat(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(from)) {
      for (Path p : ds) Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
