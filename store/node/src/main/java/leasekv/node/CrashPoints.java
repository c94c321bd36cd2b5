package leasekv.node;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Test hook ({@code ADMIN CRASH-AT point}, only with {@code --test-hooks}): the node halts, as a
 * kill -9 stops it, the next time it reaches the armed point of a Ready's persistence. These are
 * the crash points the simulation strikes at; a cluster run reaches them only by arming them, since
 * a random kill lands in such a window almost never.
 */
final class CrashPoints {
  private static final Logger LOG = System.getLogger("leasekv.crash");

  /** Where a crash can be armed. */
  enum Point {
    BEFORE_LOG_SYNC,
    AFTER_LOG_SYNC,
    BEFORE_SNAPSHOT_RESET,
    AFTER_SNAPSHOT_RESET;

    String cliName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Point parse(String name) {
      for (Point p : values()) {
        if (p.cliName().equals(name)) return p;
      }
      throw new IllegalArgumentException(
          "unknown crash point '"
              + name
              + "' (before-log-sync, after-log-sync, "
              + "before-snapshot-reset, after-snapshot-reset)");
    }
  }

  private volatile Point armed;

  void arm(Point point) {
    armed = point;
    LOG.log(Level.INFO, "crash armed at " + point.cliName());
  }

  /** Halts the process if {@code point} is armed. */
  void reached(Point point) {
    if (armed != point) return;
    LOG.log(Level.WARNING, "CRASH-AT " + point.cliName() + ": halting");
    System.out.flush();
    Runtime.getRuntime().halt(137);
  }
}
