package leasekv.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/** Encoded records waiting to be written to the current segment (a reusable, growable buffer). */
final class ByteSink {
  private byte[] buf = new byte[64 * 1024];
  private int size;

  void write(byte[] bytes) {
    if (size + bytes.length > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + bytes.length));
    System.arraycopy(bytes, 0, buf, size, bytes.length);
    size += bytes.length;
  }

  int size() {
    return size;
  }

  /** Copies {@code len} bytes starting {@code from} bytes into the buffer. */
  byte[] copy(int from, int len) {
    return Arrays.copyOfRange(buf, from, from + len);
  }

  /** Writes everything at {@code position} of {@code ch} and empties the buffer. */
  void drainTo(FileChannel ch, long position) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(buf, 0, size);
    long p = position;
    while (b.hasRemaining()) p += ch.write(b, p);
    size = 0;
    if (buf.length > 4 << 20) buf = new byte[64 * 1024]; // do not keep a huge batch's buffer forever
  }
}
