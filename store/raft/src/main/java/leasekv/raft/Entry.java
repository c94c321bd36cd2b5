package leasekv.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Raft log entry. Immutable; the data array is never modified after construction.
 *
 * @param term the leader term in which the entry was created
 * @param index the entry's position in the log, starting at 1
 * @param type what the entry carries
 * @param data the payload: opaque for NORMAL, empty for NOOP, an encoded ConfState for CONFIG
 */
public record Entry(long term, long index, EntryType type, byte[] data) {
  private static final byte[] EMPTY = new byte[0];

  public Entry {
    Objects.requireNonNull(type, "type");
    if (index < 1) throw new IllegalArgumentException("entry index must be >= 1, was " + index);
    if (term < 1) throw new IllegalArgumentException("entry term must be >= 1, was " + term);
    data = data == null ? EMPTY : data;
  }

  public static Entry normal(long term, long index, byte[] data) {
    return new Entry(term, index, EntryType.NORMAL, data);
  }

  public static Entry noop(long term, long index) {
    return new Entry(term, index, EntryType.NOOP, EMPTY);
  }

  /** Approximate in-memory and on-wire size, used for batching limits. */
  public int sizeBytes() {
    return data.length + 24;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entry e
        && term == e.term && index == e.index && type == e.type && Arrays.equals(data, e.data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(term, index, type) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "Entry{" + index + "@" + term + " " + type + " " + data.length + "B}";
  }
}
