package leasekv.wal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.EntryType;
import leasekv.raft.HardState;
import leasekv.raft.SnapshotMeta;

/**
 * The on-disk record format.
 *
 * <pre>
 * header (16 bytes, big-endian):
 *   [0,4)   crc32c over (segment salt, header bytes [4,16), payload)
 *   [4,8)   payload length
 *   [8,12)  synced offset: how far this segment was fsynced when the record was encoded
 *   [12]    record type code
 *   [13,16) magic "LKW"
 * payload (length bytes)
 * trailer (1 byte, 0xA5)
 * </pre>
 *
 * The salt is random per segment, so bytes that a client wrote into an entry can never pass for a
 * record of the segment when recovery scans for records past a damaged one. The synced offset lets
 * recovery tell damaged synced data (a later record says it was synced: corruption) from a torn,
 * never-synced tail. The trailer is never zero, so a record whose last byte reads as zero provably
 * lost its end (lost writes read back as zeros in our zero-filled segments, or lie past EOF).
 */
final class RecordCodec {
  static final int HEADER_BYTES = 16;
  static final int TRAILER_BYTES = 1;
  static final byte TRAILER = (byte) 0xA5;
  /** Header plus trailer: what a record costs beyond its payload. */
  static final int FRAME_BYTES = HEADER_BYTES + TRAILER_BYTES;
  static final int MAX_PAYLOAD_BYTES = 64 << 20;
  private static final byte[] MAGIC = {'L', 'K', 'W'};
  private static final byte[] EMPTY = new byte[0];

  private RecordCodec() {}

  static byte[] encodeEntry(Entry e, int salt, int syncedOffset) {
    ByteBuffer p = ByteBuffer.allocate(17 + e.data().length);
    p.putLong(e.term()).putLong(e.index()).put(entryTypeCode(e.type())).put(e.data());
    return frame(RecordType.ENTRY, p.array(), salt, syncedOffset);
  }

  static byte[] encodeHardState(HardState hs, int salt, int syncedOffset) {
    return frame(RecordType.HARD_STATE, hardStateBytes(hs), salt, syncedOffset);
  }

  static byte[] encodeCompaction(SnapshotMeta meta, int salt, int syncedOffset) {
    return frame(RecordType.COMPACTION, metaBytes(meta), salt, syncedOffset);
  }

  static byte[] encodeSegmentStart(SegmentStart s, int salt) {
    byte[] meta = metaBytes(s.compaction());
    byte[] hs = hardStateBytes(s.hardState());
    ByteBuffer p = ByteBuffer.allocate(17 + meta.length + hs.length);
    p.put((byte) (s.reset() ? 1 : 0)).putLong(s.prevIndex()).putLong(s.prevTerm()).put(meta).put(hs);
    return frame(RecordType.SEGMENT_START, p.array(), salt, 0);
  }

  private static byte[] frame(RecordType type, byte[] payload, int salt, int syncedOffset) {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "WAL record payload of " + payload.length + " bytes exceeds " + MAX_PAYLOAD_BYTES);
    }
    ByteBuffer b = ByteBuffer.allocate(FRAME_BYTES + payload.length);
    b.putInt(0).putInt(payload.length).putInt(syncedOffset).put(type.code).put(MAGIC).put(payload);
    b.put(TRAILER);
    byte[] bytes = b.array();
    ByteBuffer.wrap(bytes).putInt(0, crc(salt, bytes, 0, bytes.length));
    return bytes;
  }

  /** CRC of a record laid out in {@code buf[off, off+len)}, skipping its own crc field. */
  static int crc(int salt, byte[] buf, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(ByteBuffer.allocate(4).putInt(0, salt));
    c.update(buf, off + 4, len - 4);
    return (int) c.getValue();
  }

  static int crc(int salt, ByteBuffer buf, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(ByteBuffer.allocate(4).putInt(0, salt));
    c.update(buf.duplicate().limit(off + len).position(off + 4));
    return (int) c.getValue();
  }

  /**
   * The payload length declared by a plausible header at {@code off} (magic and type intact, length
   * within bounds), or -1 when the header itself is damaged. Says nothing about the CRC.
   */
  static int plausiblePayloadLength(ByteBuffer buf, long off, long fileSize) {
    if (fileSize - off < HEADER_BYTES) return -1;
    int o = (int) off;
    if (buf.get(o + 13) != MAGIC[0] || buf.get(o + 14) != MAGIC[1] || buf.get(o + 15) != MAGIC[2]) {
      return -1;
    }
    int length = buf.getInt(o + 4);
    boolean sane = RecordType.fromCode(buf.get(o + 12)) != null && length >= 0 && length <= MAX_PAYLOAD_BYTES;
    return sane ? length : -1;
  }

  /**
   * The header at {@code off} of {@code buf}, if the whole record is intact: plausible header, it
   * fits below {@code end}, trailer present and CRC matching. Otherwise null.
   */
  static RecordHeader readValid(ByteBuffer buf, long off, long end, int salt) {
    int length = plausiblePayloadLength(buf, off, end);
    if (length < 0 || length > end - off - FRAME_BYTES) return null;
    int o = (int) off;
    int total = FRAME_BYTES + length;
    if (buf.get(o + total - 1) != TRAILER) return null;
    if (crc(salt, buf, o, total) != buf.getInt(o)) return null;
    RecordType type = RecordType.fromCode(buf.get(o + 12));
    return new RecordHeader(type, length, buf.getInt(o + 8) & 0xFFFFFFFFL);
  }

  /** A header that passed {@link #readValid}. */
  record RecordHeader(RecordType type, int payloadLength, long syncedOffset) {
    int totalLength() {
      return FRAME_BYTES + payloadLength;
    }
  }

  /** The payload of a valid record at {@code off}, as a buffer positioned at its first byte. */
  static ByteBuffer payload(ByteBuffer buf, long off, RecordHeader h) {
    int start = (int) off + HEADER_BYTES;
    return buf.duplicate().limit(start + h.payloadLength()).position(start).slice();
  }

  static Entry decodeEntry(ByteBuffer payload) {
    long term = payload.getLong();
    long index = payload.getLong();
    EntryType type = entryType(payload.get());
    byte[] data = new byte[payload.remaining()];
    payload.get(data);
    return new Entry(term, index, type, data.length == 0 ? EMPTY : data);
  }

  static HardState decodeHardState(ByteBuffer p) {
    long term = p.getLong();
    long commit = p.getLong();
    int voteLength = p.getInt();
    String vote = null;
    if (voteLength >= 0) {
      byte[] v = new byte[voteLength];
      p.get(v);
      vote = new String(v, StandardCharsets.UTF_8);
    }
    return new HardState(term, vote, commit);
  }

  static SnapshotMeta decodeMeta(ByteBuffer p) {
    long index = p.getLong();
    long term = p.getLong();
    byte[] conf = new byte[p.getInt()];
    p.get(conf);
    return new SnapshotMeta(index, term, ConfState.decode(conf));
  }

  static SegmentStart decodeSegmentStart(ByteBuffer p) {
    boolean reset = p.get() == 1;
    long prevIndex = p.getLong();
    long prevTerm = p.getLong();
    SnapshotMeta compaction = decodeMeta(p);
    HardState hs = decodeHardState(p);
    return new SegmentStart(reset, prevIndex, prevTerm, compaction, hs);
  }

  private static byte[] hardStateBytes(HardState hs) {
    byte[] vote = hs.votedFor() == null ? null : hs.votedFor().getBytes(StandardCharsets.UTF_8);
    ByteBuffer p = ByteBuffer.allocate(20 + (vote == null ? 0 : vote.length));
    p.putLong(hs.term()).putLong(hs.commit()).putInt(vote == null ? -1 : vote.length);
    if (vote != null) p.put(vote);
    return p.array();
  }

  private static byte[] metaBytes(SnapshotMeta m) {
    byte[] conf = m.conf().encode();
    return ByteBuffer.allocate(20 + conf.length)
        .putLong(m.index()).putLong(m.term()).putInt(conf.length).put(conf).array();
  }

  // Codes start at 1 so that an all-zero byte never decodes as a valid type.
  private static byte entryTypeCode(EntryType t) {
    return (byte) (t.ordinal() + 1);
  }

  private static EntryType entryType(byte code) {
    EntryType[] all = EntryType.values();
    if (code < 1 || code > all.length) throw new IllegalArgumentException("unknown entry type " + code);
    return all[code - 1];
  }
}
