package leasekv.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data directory (the WAL's or the state machine's), taken before the node
 * reads, repairs or deletes anything in it: a second node started on a running node's directory
 * must not even remove a temp file of the live WAL. A POSIX record lock on {@code leasekv.lock},
 * released by the kernel when the process dies (so a kill -9 leaves no stale lock); the file holds
 * the owner's pid for the error message.
 */
final class DataDirLock implements AutoCloseable {
  static final String FILE = "leasekv.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code dir} (creating it if missing) for this process.
   *
   * @throws ConfigException "data dir ... is in use by pid N" when another process (or node) holds
   *     it
   */
  static DataDirLock acquire(String option, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE);
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // another node in this same JVM holds it
    }
    if (lock == null) {
      String owner = readOwner(channel);
      channel.close();
      throw new ConfigException("data dir " + dir + " (" + option + ") is in use by " + owner);
    }
    channel.truncate(0);
    channel.write(
        ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
        0);
    return new DataDirLock(channel, lock);
  }

  private static String readOwner(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(32);
    channel.read(buf, 0);
    String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
    return pid.matches("\\d+") ? "pid " + pid : "another process";
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
