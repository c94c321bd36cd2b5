package leasekv.node;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.SnapshotMeta;

/**
 * Serializes Raft messages into transport frames, field by field, and back.
 *
 * <p>Frames come from the network, so decoding trusts nothing: every length is bounded by what is
 * left in the frame, and a malformed frame is a {@link MalformedFrameException} naming what was
 * wrong, never an OutOfMemoryError or a half-built message.
 */
public final class MessageCodec {
  private static final byte VERSION = 1;
  private static final int MAX_ID_BYTES = 256;
  private static final MessageType[] TYPES = MessageType.values();
  private static final EntryType[] ENTRY_TYPES = EntryType.values();

  private MessageCodec() {}

  /** Thrown for a frame that does not decode to a message. */
  public static final class MalformedFrameException extends RuntimeException {
    public MalformedFrameException(String message) {
      super(message);
    }
  }

  public static byte[] encode(Message m) {
    byte[] from = m.from().getBytes(StandardCharsets.UTF_8);
    byte[] to = m.to().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(encodedSize(m, from, to));
    b.put(VERSION).put((byte) m.type().ordinal());
    putBytes(b, from);
    putBytes(b, to);
    b.putLong(m.term()).putLong(m.logTerm()).putLong(m.index()).putLong(m.commit());
    b.put((byte) ((m.reject() ? 1 : 0) | (m.transfer() ? 2 : 0) | (m.snapshot() != null ? 4 : 0)));
    b.putLong(m.rejectHint()).putLong(m.seq());
    if (m.snapshot() != null) putSnapshot(b, m.snapshot());
    b.putInt(m.entries().size());
    for (Entry e : m.entries()) {
      b.putLong(e.term()).putLong(e.index()).put((byte) e.type().ordinal());
      putBytes(b, e.data());
    }
    return b.array();
  }

  public static Message decode(byte[] frame) {
    ByteBuffer b = ByteBuffer.wrap(frame);
    try {
      byte version = b.get();
      if (version != VERSION)
        throw new MalformedFrameException("unknown message version " + version);
      MessageType type = TYPES[index(b.get(), TYPES.length, "message type")];
      String from = getString(b);
      String to = getString(b);
      long term = b.getLong(), logTerm = b.getLong(), index = b.getLong(), commit = b.getLong();
      int flags = b.get();
      long rejectHint = b.getLong(), seq = b.getLong();
      SnapshotMeta snapshot = (flags & 4) != 0 ? getSnapshot(b) : null;
      List<Entry> entries = getEntries(b);
      if (b.hasRemaining())
        throw new MalformedFrameException(b.remaining() + " trailing bytes after a " + type);
      return new Message(
          type,
          from,
          to,
          term,
          logTerm,
          index,
          entries,
          commit,
          (flags & 1) != 0,
          rejectHint,
          snapshot,
          seq,
          (flags & 2) != 0);
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated message frame of " + frame.length + " bytes");
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new MalformedFrameException("invalid message: " + e.getMessage());
    }
  }

  private static int encodedSize(Message m, byte[] from, byte[] to) {
    int size = 2 + 4 + from.length + 4 + to.length + 4 * 8 + 1 + 2 * 8 + 4;
    if (m.snapshot() != null) {
      size += 8 + 8 + 4;
      for (String v : m.snapshot().conf().voters())
        size += 4 + v.getBytes(StandardCharsets.UTF_8).length;
    }
    for (Entry e : m.entries()) size += 8 + 8 + 1 + 4 + e.data().length;
    return size;
  }

  private static void putSnapshot(ByteBuffer b, SnapshotMeta s) {
    b.putLong(s.index()).putLong(s.term()).putInt(s.conf().voters().size());
    for (String v : s.conf().voters()) putBytes(b, v.getBytes(StandardCharsets.UTF_8));
  }

  private static SnapshotMeta getSnapshot(ByteBuffer b) {
    long index = b.getLong(), term = b.getLong();
    int voters = count(b, 4, "snapshot voters");
    List<String> ids = new ArrayList<>(voters);
    for (int i = 0; i < voters; i++) ids.add(getString(b));
    return new SnapshotMeta(index, term, new ConfState(ids));
  }

  private static List<Entry> getEntries(ByteBuffer b) {
    int n = count(b, 8 + 8 + 1 + 4, "entries");
    List<Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long term = b.getLong(), index = b.getLong();
      EntryType type = ENTRY_TYPES[index(b.get(), ENTRY_TYPES.length, "entry type")];
      entries.add(new Entry(term, index, type, getBytes(b, Integer.MAX_VALUE)));
    }
    return entries;
  }

  private static void putBytes(ByteBuffer b, byte[] bytes) {
    b.putInt(bytes.length).put(bytes);
  }

  private static String getString(ByteBuffer b) {
    return new String(getBytes(b, MAX_ID_BYTES), StandardCharsets.UTF_8);
  }

  private static byte[] getBytes(ByteBuffer b, int max) {
    int length = b.getInt();
    if (length < 0 || length > b.remaining() || length > max) {
      throw new MalformedFrameException(
          "field length " + length + " exceeds the " + b.remaining() + " bytes left");
    }
    byte[] bytes = new byte[length];
    b.get(bytes);
    return bytes;
  }

  /** Reads a count of items of at least {@code minItemBytes} each, bounded by the bytes left. */
  private static int count(ByteBuffer b, int minItemBytes, String what) {
    int n = b.getInt();
    if (n < 0 || (long) n * minItemBytes > b.remaining()) {
      throw new MalformedFrameException(
          "count of " + what + " " + n + " does not fit in " + b.remaining() + " bytes");
    }
    return n;
  }

  private static int index(byte ordinal, int size, String what) {
    if (ordinal < 0 || ordinal >= size)
      throw new MalformedFrameException("unknown " + what + " " + ordinal);
    return ordinal;
  }
}
