package leasekv.wal;

/** The requested index has been compacted away; the follower needs a snapshot. */
public final class LogCompactedException extends RuntimeException {
  public LogCompactedException(long index, long compactedThrough) {
    super("index " + index + " is compacted (log compacted through " + compactedThrough + ")");
  }
}
