package leasekv.wal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The fixed 32-byte header at the start of every segment file.
 *
 * <pre>
 *   [0,8)   magic "LKVWAL\0\1"
 *   [8,12)  format version (1)
 *   [12,16) salt: random, seeds every record CRC in this segment
 *   [16,24) segment sequence number (also in the file name)
 *   [24,28) reserved, zero
 *   [28,32) crc32c of bytes [0,28)
 * </pre>
 */
record SegmentHeader(long seq, int salt) {
  static final int BYTES = 32;
  static final int FORMAT_VERSION = 1;
  private static final byte[] MAGIC = {'L', 'K', 'V', 'W', 'A', 'L', 0, 1};

  byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(BYTES);
    b.put(MAGIC).putInt(FORMAT_VERSION).putInt(salt).putLong(seq).putInt(0);
    CRC32C c = new CRC32C();
    c.update(b.array(), 0, 28);
    b.putInt((int) c.getValue());
    return b.array();
  }

  /** Parses a header, or explains in the exception message what is wrong with it. */
  static SegmentHeader decode(ByteBuffer buf) throws IllegalArgumentException {
    if (buf.limit() < BYTES) throw new IllegalArgumentException("file shorter than the 32-byte segment header");
    for (int i = 0; i < MAGIC.length; i++) {
      if (buf.get(i) != MAGIC[i]) throw new IllegalArgumentException("bad segment magic");
    }
    CRC32C c = new CRC32C();
    c.update(buf.duplicate().position(0).limit(28));
    if ((int) c.getValue() != buf.getInt(28)) throw new IllegalArgumentException("segment header CRC mismatch");
    int version = buf.getInt(8);
    if (version != FORMAT_VERSION) throw new IllegalArgumentException("unsupported WAL format version " + version);
    return new SegmentHeader(buf.getLong(16), buf.getInt(12));
  }
}
