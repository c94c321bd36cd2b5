package leasekv.node;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import leasekv.fsm.CheckpointFiles.FileInfo;

/**
 * Frames of one snapshot transfer on the snapshot lane: BEGIN (the file list), CHUNKs of file data,
 * then END carrying the INSTALL_SNAPSHOT message, which the receiver steps into its core only after
 * every file arrived and was fsynced.
 */
final class SnapshotFrames {
  static final byte BEGIN = 1;
  static final byte CHUNK = 2;
  static final byte END = 3;

  private SnapshotFrames() {}

  record Begin(long transferId, List<FileInfo> files) {}

  record Chunk(long transferId, String name, long offset, byte[] data) {}

  record End(long transferId, byte[] message) {}

  static byte[] begin(long transferId, List<FileInfo> files) {
    int size = 1 + 8 + 4;
    List<byte[]> names = new ArrayList<>();
    for (FileInfo f : files) {
      byte[] n = f.name().getBytes(StandardCharsets.UTF_8);
      names.add(n);
      size += 4 + n.length + 8;
    }
    ByteBuffer b = ByteBuffer.allocate(size).put(BEGIN).putLong(transferId).putInt(files.size());
    for (int i = 0; i < files.size(); i++)
      b.putInt(names.get(i).length).put(names.get(i)).putLong(files.get(i).sizeBytes());
    return b.array();
  }

  static byte[] chunk(long transferId, String name, long offset, byte[] data) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + 8 + 4 + n.length + 8 + 4 + data.length)
        .put(CHUNK)
        .putLong(transferId)
        .putInt(n.length)
        .put(n)
        .putLong(offset)
        .putInt(data.length)
        .put(data)
        .array();
  }

  static byte[] end(long transferId, byte[] message) {
    return ByteBuffer.allocate(1 + 8 + 4 + message.length)
        .put(END)
        .putLong(transferId)
        .putInt(message.length)
        .put(message)
        .array();
  }

  /** Decodes any of the three; throws {@link MessageCodec.MalformedFrameException} on garbage. */
  static Object decode(byte[] frame) {
    ByteBuffer b = ByteBuffer.wrap(frame);
    try {
      byte kind = b.get();
      long id = b.getLong();
      return switch (kind) {
        case BEGIN -> {
          int n = b.getInt();
          if (n < 0 || n > b.remaining() / 12)
            throw new MessageCodec.MalformedFrameException("bad snapshot file count " + n);
          List<FileInfo> files = new ArrayList<>(n);
          for (int i = 0; i < n; i++) files.add(new FileInfo(string(b), b.getLong()));
          yield new Begin(id, files);
        }
        case CHUNK -> new Chunk(id, string(b), b.getLong(), bytes(b));
        case END -> new End(id, bytes(b));
        default ->
            throw new MessageCodec.MalformedFrameException("unknown snapshot frame kind " + kind);
      };
    } catch (BufferUnderflowException e) {
      throw new MessageCodec.MalformedFrameException(
          "truncated snapshot frame of " + frame.length + " bytes");
    }
  }

  private static String string(ByteBuffer b) {
    return new String(bytes(b), StandardCharsets.UTF_8);
  }

  private static byte[] bytes(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || n > b.remaining())
      throw new MessageCodec.MalformedFrameException("bad length " + n + " in snapshot frame");
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }
}
