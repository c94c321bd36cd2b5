package leasekv.wal;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Wal#open} found and repaired. The node logs it.
 *
 * @param segments how many segment files were read
 * @param tornTail the torn tail that was truncated, or null when the log ended cleanly
 * @param removedTempFiles unfinished segment or spare files (never log data) that were deleted
 */
public record RecoveryReport(int segments, TornTail tornTail, List<Path> removedTempFiles) {
  @Override
  public String toString() {
    return "WAL recovered from " + segments + " segment(s); "
        + (tornTail == null ? "clean tail" : tornTail.toString())
        + (removedTempFiles.isEmpty() ? "" : "; removed leftover temp files " + removedTempFiles);
  }
}
