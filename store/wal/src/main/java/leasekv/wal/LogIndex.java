package leasekv.wal;

import java.util.Arrays;

/**
 * Term, file position and data length of every live entry, in primitive arrays: a few bytes per
 * entry, so term(i) and the replication reads never touch the disk to find an entry.
 */
final class LogIndex {
  private long firstIndex;
  private int head;
  private int count;
  private long[] terms = new long[1024];
  private long[] positions = new long[1024];
  private int[] dataLengths = new int[1024];

  LogIndex(long firstIndex) {
    this.firstIndex = firstIndex;
  }

  static long position(long segmentSeq, long offsetBytes) {
    return (segmentSeq << 32) | offsetBytes;
  }

  static long segmentOf(long position) {
    return position >>> 32;
  }

  static long offsetOf(long position) {
    return position & 0xFFFFFFFFL;
  }

  long firstIndex() {
    return firstIndex;
  }

  long lastIndex() {
    return firstIndex + count - 1;
  }

  boolean contains(long index) {
    return index >= firstIndex && index <= lastIndex();
  }

  void append(long index, long term, long position, int dataLength) {
    if (index != lastIndex() + 1) {
      throw new IllegalStateException("log index append out of order: " + index + " after " + lastIndex());
    }
    if (head + count == terms.length) grow();
    int slot = head + count;
    terms[slot] = term;
    positions[slot] = position;
    dataLengths[slot] = dataLength;
    count++;
  }

  /** Forgets {@code index} and every later entry. */
  void truncateFrom(long index) {
    if (index <= firstIndex) {
      count = 0;
    } else if (index <= lastIndex()) {
      count = (int) (index - firstIndex);
    }
  }

  /** Forgets every entry up to and including {@code index}; the log then starts at index + 1. */
  void dropThrough(long index) {
    if (index >= lastIndex()) {
      reset(index + 1);
      return;
    }
    if (index < firstIndex) return;
    int n = (int) (index - firstIndex + 1);
    head += n;
    count -= n;
    firstIndex = index + 1;
  }

  void reset(long newFirstIndex) {
    firstIndex = newFirstIndex;
    head = 0;
    count = 0;
  }

  long term(long index) {
    return terms[slot(index)];
  }

  long position(long index) {
    return positions[slot(index)];
  }

  int dataLength(long index) {
    return dataLengths[slot(index)];
  }

  private int slot(long index) {
    if (!contains(index)) throw new IllegalArgumentException("index " + index + " not in [" + firstIndex + ", " + lastIndex() + "]");
    return head + (int) (index - firstIndex);
  }

  private void grow() {
    if (head > terms.length / 2) { // mostly dropped prefix: shift down instead of growing
      System.arraycopy(terms, head, terms, 0, count);
      System.arraycopy(positions, head, positions, 0, count);
      System.arraycopy(dataLengths, head, dataLengths, 0, count);
      head = 0;
      return;
    }
    terms = Arrays.copyOf(terms, terms.length * 2);
    positions = Arrays.copyOf(positions, positions.length * 2);
    dataLengths = Arrays.copyOf(dataLengths, dataLengths.length * 2);
  }
}
