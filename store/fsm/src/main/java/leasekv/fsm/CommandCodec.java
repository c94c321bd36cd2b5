package leasekv.fsm;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import leasekv.fsm.Command.ClientTag;

/**
 * The compact binary form of a {@link Command} (big-endian):
 *
 * <pre>
 *   u8 version (1) | u8 op (1 SET, 2 DEL, 3 CAS, 4 RPUSH) | u8 flags (bit 0: tagged)
 *   [tagged: u16 clientId length, clientId UTF-8, u64 seq]
 *   key as u32 length + bytes, then per op: SET value | CAS expected, new | RPUSH u32 n, n values
 * </pre>
 */
public final class CommandCodec {
  static final int VERSION = 1;
  private static final int OP_SET = 1;
  private static final int OP_DEL = 2;
  private static final int OP_CAS = 3;
  private static final int OP_RPUSH = 4;

  private CommandCodec() {}

  public static byte[] encode(Command c) {
    List<byte[]> fields = new ArrayList<>();
    int op;
    if (c instanceof Command.Set s) {
      fields.add(s.value());
      op = OP_SET;
    } else if (c instanceof Command.Cas x) {
      fields.add(x.expected());
      fields.add(x.newValue());
      op = OP_CAS;
    } else if (c instanceof Command.RPush r) {
      fields.addAll(r.values());
      op = OP_RPUSH;
    } else {
      op = OP_DEL;
    }
    byte[] clientId = c.tag() == null ? null : c.tag().clientId().getBytes(StandardCharsets.UTF_8);
    if (clientId != null && clientId.length > 0xFFFF) throw new IllegalArgumentException("client id longer than 65535 bytes");
    int size = 3 + (clientId == null ? 0 : 10 + clientId.length) + 4 + c.key().length + (op == OP_RPUSH ? 4 : 0);
    for (byte[] f : fields) size += 4 + f.length;
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put((byte) VERSION).put((byte) op).put((byte) (clientId == null ? 0 : 1));
    if (clientId != null) b.putShort((short) clientId.length).put(clientId).putLong(c.tag().seq());
    putBytes(b, c.key());
    if (op == OP_RPUSH) b.putInt(fields.size());
    for (byte[] f : fields) putBytes(b, f);
    return b.array();
  }

  /**
   * Decodes a command.
   *
   * @throws IllegalArgumentException naming what is wrong, for any malformed input
   */
  public static Command decode(byte[] data) {
    try {
      ByteBuffer b = ByteBuffer.wrap(data);
      int version = b.get();
      if (version != VERSION) throw new IllegalArgumentException("unknown command version " + version);
      int op = b.get();
      int flags = b.get();
      if ((flags & ~1) != 0) throw new IllegalArgumentException("unknown command flags " + flags);
      ClientTag tag = null;
      if (flags == 1) {
        byte[] id = new byte[Short.toUnsignedInt(b.getShort())];
        b.get(id);
        tag = new ClientTag(new String(id, StandardCharsets.UTF_8), b.getLong());
      }
      byte[] key = getBytes(b);
      Command c = switch (op) {
        case OP_SET -> new Command.Set(tag, key, getBytes(b));
        case OP_DEL -> new Command.Del(tag, key);
        case OP_CAS -> new Command.Cas(tag, key, getBytes(b), getBytes(b));
        case OP_RPUSH -> new Command.RPush(tag, key, getValues(b));
        default -> throw new IllegalArgumentException("unknown command op " + op);
      };
      if (b.hasRemaining()) throw new IllegalArgumentException(b.remaining() + " trailing bytes after the command");
      return c;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("command truncated (" + data.length + " bytes)");
    }
  }

  private static List<byte[]> getValues(ByteBuffer b) {
    int n = b.getInt();
    if (n < 1 || n > b.remaining() / 4) throw new IllegalArgumentException("bad RPUSH value count " + n);
    List<byte[]> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) values.add(getBytes(b));
    return values;
  }

  private static void putBytes(ByteBuffer b, byte[] v) {
    b.putInt(v.length).put(v);
  }

  private static byte[] getBytes(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) throw new IllegalArgumentException("field length " + n + " exceeds the command");
    byte[] v = new byte[n];
    b.get(v);
    return v;
  }
}
