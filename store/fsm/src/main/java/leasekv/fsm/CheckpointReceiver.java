package leasekv.fsm;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Receives a streamed checkpoint into a staging directory (from {@link RocksEngine#newStagingDir()}).
 * {@link #finish} checks the files against the sender's list, fsyncs them and the directory and
 * reads the metadata; then hand the checkpoint it returns to {@link StateMachine#restoreFromCheckpoint}.
 */
public final class CheckpointReceiver implements Closeable {
  private final Path dir;
  private final Map<String, FileChannel> open = new HashMap<>();

  public CheckpointReceiver(Path stagingDir) {
    this.dir = stagingDir;
  }

  public Path dir() {
    return dir;
  }

  /** Writes a chunk of file {@code name} at {@code offset}. Chunks may come in any order. */
  public void write(String name, long offset, byte[] chunk) throws IOException {
    if (offset < 0) throw new IllegalArgumentException("negative offset " + offset + " for " + name);
    FileChannel ch = open.get(checkName(name));
    if (ch == null) {
      ch = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      open.put(name, ch);
    }
    ByteBuffer b = ByteBuffer.wrap(chunk);
    while (b.hasRemaining()) ch.write(b, offset + b.position());
  }

  /**
   * Verifies that exactly the expected files arrived with their sizes, fsyncs everything and returns
   * the checkpoint's metadata.
   *
   * @throws IOException naming the first file that is missing, extra or of the wrong size
   */
  public DirectoryCheckpoint finish(List<CheckpointFiles.FileInfo> expected) throws IOException {
    close();
    List<CheckpointFiles.FileInfo> got = CheckpointFiles.list(dir);
    Map<String, Long> sizes = new HashMap<>();
    for (CheckpointFiles.FileInfo f : got) sizes.put(f.name(), f.sizeBytes());
    for (CheckpointFiles.FileInfo f : expected) {
      Long size = sizes.remove(f.name());
      if (size == null) throw new IOException("checkpoint file " + f.name() + " was not received into " + dir);
      if (size != f.sizeBytes()) throw new IOException("checkpoint file " + f.name() + " has " + size + " bytes, expected " + f.sizeBytes());
    }
    if (!sizes.isEmpty()) throw new IOException("unexpected checkpoint files " + sizes.keySet() + " in " + dir);
    FileSync.fsyncTree(dir);
    return DirectoryCheckpoint.read(dir);
  }

  /** Gives up: deletes everything received. */
  public void abort() throws IOException {
    close();
    FileSync.deleteTree(dir);
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (FileChannel ch : open.values()) {
      try {
        ch.close();
      } catch (IOException e) {
        if (first == null) first = e;
      }
    }
    open.clear();
    if (first != null) throw first;
  }

  /** A checkpoint file name must be a plain name: no directories, no "." or "..". */
  static String checkName(String name) {
    boolean plain = name != null && !name.isEmpty() && !name.equals(".") && !name.equals("..")
        && name.indexOf('/') < 0 && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
    if (!plain) throw new IllegalArgumentException("bad checkpoint file name '" + name + "'");
    return name;
  }
}
