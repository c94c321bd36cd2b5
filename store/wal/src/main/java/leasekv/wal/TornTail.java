package leasekv.wal;

import java.nio.file.Path;

/**
 * A torn tail that recovery truncated: bytes written after the last completed sync that a crash
 * left incomplete. Nothing in it was ever acknowledged.
 *
 * @param file the last segment
 * @param offsetBytes where the first incomplete record started; the log now ends here
 * @param discardedBytes how many non-zero bytes were discarded from that offset on
 * @param discardedIntactRecords intact but unsynced records found after the torn one (discarded with it)
 */
public record TornTail(Path file, long offsetBytes, long discardedBytes, int discardedIntactRecords) {
  @Override
  public String toString() {
    return "truncated torn WAL tail: " + file + " from byte offset " + offsetBytes + " (" + discardedBytes
        + " bytes, " + discardedIntactRecords + " intact unsynced records after the torn one)";
  }
}
