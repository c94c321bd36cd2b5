package leasekv.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The WAL holds damaged or inconsistent data that is not a torn tail, so acknowledged entries may
 * be lost. The log refuses to open; the node exits with status 3 and this message.
 */
public final class WalCorruptionException extends IOException {
  private final Path file;
  private final long offsetBytes;

  public WalCorruptionException(Path file, long offsetBytes, String reason) {
    super("corrupt WAL: " + file + " at byte offset " + offsetBytes + ": " + reason);
    this.file = file;
    this.offsetBytes = offsetBytes;
  }

  public Path file() {
    return file;
  }

  public long offsetBytes() {
    return offsetBytes;
  }
}
