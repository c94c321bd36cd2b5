package leasekv.fsm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The RocksDB key layout, all in the default column family (so one WriteBatch and one RocksDB WAL
 * cover everything, and recovery after a crash is always a consistent prefix):
 *
 * <pre>
 *   0x00 "applied"                          -> u64 applied index, u64 its term
 *   0x00 "conf"                             -> ConfState of the last applied CONFIG entry
 *   0x01 userKey                            -> 'S' + value (string) | 'L' + u64 length (list)
 *   0x02 u32 len(userKey) userKey u64 i     -> list element i (0-based); the length prefix keeps
 *                                              one key's elements apart from a longer key's
 *   0x03 clientId (UTF-8)                   -> u64 last seq, ApplyResult of that seq
 * </pre>
 */
final class Keys {
  static final byte[] APPLIED = meta("applied");
  static final byte[] CONF = meta("conf");
  static final byte TYPE_STRING = 'S';
  static final byte TYPE_LIST = 'L';
  private static final byte VALUE_PREFIX = 1;
  private static final byte ELEMENT_PREFIX = 2;
  private static final byte CLIENT_PREFIX = 3;

  private Keys() {}

  private static byte[] meta(String name) {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(1 + n.length).put((byte) 0).put(n).array();
  }

  static byte[] value(byte[] userKey) {
    return ByteBuffer.allocate(1 + userKey.length).put(VALUE_PREFIX).put(userKey).array();
  }

  static byte[] element(byte[] userKey, long i) {
    return ByteBuffer.allocate(1 + 4 + userKey.length + 8).put(ELEMENT_PREFIX).putInt(userKey.length).put(userKey).putLong(i).array();
  }

  static byte[] client(String clientId) {
    byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(1 + id.length).put(CLIENT_PREFIX).put(id).array();
  }

  static byte[] stringValue(byte[] value) {
    return ByteBuffer.allocate(1 + value.length).put(TYPE_STRING).put(value).array();
  }

  static byte[] listMeta(long length) {
    return ByteBuffer.allocate(9).put(TYPE_LIST).putLong(length).array();
  }

  static boolean isList(byte[] stored) {
    return stored != null && stored[0] == TYPE_LIST;
  }

  static long listLength(byte[] stored) {
    return ByteBuffer.wrap(stored, 1, 8).getLong();
  }

  static byte[] stringPayload(byte[] stored) {
    byte[] v = new byte[stored.length - 1];
    System.arraycopy(stored, 1, v, 0, v.length);
    return v;
  }

  static byte[] applied(long index, long term) {
    return ByteBuffer.allocate(16).putLong(index).putLong(term).array();
  }
}
