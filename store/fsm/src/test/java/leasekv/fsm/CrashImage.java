package leasekv.fsm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a process crash would leave of a state machine opened with
 * {@link FsmOptions#withCrashLosesUnsyncedWrites}: RocksDB then keeps unsynced WAL writes in process
 * memory, so a copy of the directory taken while it is open holds exactly what survives a crash.
 * The in-process form of {@link FsmPowerLossTest}'s forked child, for tests that must run the code
 * under test in this JVM.
 */
final class CrashImage {
  private CrashImage() {}

  /** Copies the state machine directory {@code dir} (still open) to {@code to}. */
  static Path take(Path dir, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path target = to.resolve(dir.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}
