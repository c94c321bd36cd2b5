package leasekv.wal;

/** The kinds of record a WAL segment holds. The codes are part of the on-disk format. */
enum RecordType {
  /** First record of every segment: the log state when the segment was opened. */
  SEGMENT_START(1),
  /** One Raft log entry. Appending index i implicitly discards any earlier entry at i or above. */
  ENTRY(2),
  /** Raft's term, vote and commit index. */
  HARD_STATE(3),
  /** The log has been compacted up to (index, term); conf is the membership as of index. */
  COMPACTION(4);

  final byte code;

  RecordType(int code) {
    this.code = (byte) code;
  }

  /** The type with this code, or null when the byte is no valid type (a damaged header). */
  static RecordType fromCode(byte code) {
    for (RecordType t : values()) {
      if (t.code == code) return t;
    }
    return null;
  }
}
