package leasekv.raft.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The files this process holds open (Linux /proc/self/fd), to catch descriptors left open. Shared by
 * the WAL's and the state machine's tests through this module's test-jar.
 */
public final class OpenFiles {
  private OpenFiles() {}

  /** Open files whose path starts with {@code dir} (deleted ones included, marked so by the kernel). */
  public static List<String> under(Path dir) throws IOException {
    Path fds = Path.of("/proc/self/fd");
    Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc");
    List<String> open = new ArrayList<>();
    try (Stream<Path> s = Files.list(fds)) {
      for (Path fd : (Iterable<Path>) s::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith(dir.toString())) open.add(target);
        } catch (IOException gone) {
          // closed while listing
        }
      }
    }
    return open;
  }
}
