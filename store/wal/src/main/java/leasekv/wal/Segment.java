package leasekv.wal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** An open segment file. Only the current (last) segment is written; older ones are read. */
final class Segment implements Closeable {
  final long seq;
  final Path path;
  final int salt;
  /** The log's last index when this segment started; its entries follow it. */
  final long prevIndex;
  /** Where the first record after the segment start record goes. */
  final long firstRecordOffset;
  final FileChannel channel;
  /** Bytes handed to the OS (written, maybe not yet synced). */
  long writtenOffset;
  /** Bytes known to be on disk (fsynced). */
  long durableOffset;

  Segment(long seq, Path path, int salt, long prevIndex, long firstRecordOffset, FileChannel channel, long endOffset) {
    this.seq = seq;
    this.path = path;
    this.salt = salt;
    this.prevIndex = prevIndex;
    this.firstRecordOffset = firstRecordOffset;
    this.channel = channel;
    this.writtenOffset = endOffset;
    this.durableOffset = endOffset;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
