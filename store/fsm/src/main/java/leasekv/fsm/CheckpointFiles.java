package leasekv.fsm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads a checkpoint's files for streaming them to a follower in chunks. */
public final class CheckpointFiles {
  /** One file of a checkpoint: its name (no directories) and size. */
  public record FileInfo(String name, long sizeBytes) {}

  private CheckpointFiles() {}

  /** The checkpoint's regular files, by name; the metadata file is among them. */
  public static List<FileInfo> list(Path checkpointDir) throws IOException {
    List<FileInfo> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(checkpointDir)) {
      for (Path p : ds) {
        if (Files.isRegularFile(p)) out.add(new FileInfo(p.getFileName().toString(), Files.size(p)));
      }
    }
    out.sort(Comparator.comparing(FileInfo::name));
    return out;
  }

  /**
   * Reads up to {@code maxBytes} of file {@code name} from {@code offset}; an empty array at the end.
   *
   * @throws IllegalArgumentException for a name that is not a plain file name
   */
  public static byte[] readChunk(Path checkpointDir, String name, long offset, int maxBytes) throws IOException {
    Path file = checkpointDir.resolve(CheckpointReceiver.checkName(name));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long remaining = Math.max(0, ch.size() - offset);
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(maxBytes, remaining));
      while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) >= 0) {
        // keep reading: a positional read may return fewer bytes than asked
      }
      return buf.array();
    }
  }
}
