package leasekv.wal;

/** The requested index is beyond the log's last index. */
public final class LogUnavailableException extends RuntimeException {
  public LogUnavailableException(long index, long lastIndex) {
    super("index " + index + " is beyond the last index " + lastIndex);
  }
}
