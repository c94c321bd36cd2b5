package leasekv.wal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Names and directory operations of a WAL directory: {@code segment-<seq>.wal} plus temp files. */
final class SegmentFiles {
  private static final Pattern SEGMENT = Pattern.compile("segment-(\\d{12})\\.wal");
  private static final String TEMP_SUFFIX = ".tmp";

  private SegmentFiles() {}

  static Path segmentPath(Path dir, long seq) {
    return dir.resolve(String.format("segment-%012d.wal", seq));
  }

  static Path tempPath(Path dir, String name) {
    return dir.resolve(name + TEMP_SUFFIX);
  }

  /** Segment files by sequence number. Files that merely look similar are ignored. */
  static TreeMap<Long, Path> list(Path dir) throws IOException {
    TreeMap<Long, Path> out = new TreeMap<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        Matcher m = SEGMENT.matcher(p.getFileName().toString());
        if (m.matches()) out.put(Long.parseLong(m.group(1)), p);
      }
    }
    return out;
  }

  /** Temp files left by a crash while a segment or spare was being prepared; never hold log data. */
  static List<Path> leftoverTempFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + TEMP_SUFFIX)) {
      ds.forEach(out::add);
    }
    return out;
  }
}
