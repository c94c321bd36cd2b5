package leasekv.raft.sim;

import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import leasekv.raft.UnsafeMode;

/**
 * What one simulation run does. Everything else derives from {@code seed}.
 *
 * @param durationNanos simulated time with clients and faults running (a settle phase follows)
 */
record SimParams(long seed, int nodes, long durationNanos, Set<UnsafeMode> unsafeModes, int roamingClients, int keys) {
  static final long DEFAULT_DURATION_NANOS = 6_000_000_000L;

  SimParams {
    unsafeModes = unsafeModes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(unsafeModes));
  }

  static SimParams safe(long seed, int nodes) {
    return new SimParams(seed, nodes, DEFAULT_DURATION_NANOS, Set.of(), 2, 3);
  }

  SimParams withUnsafe(UnsafeMode mode) {
    return new SimParams(seed, nodes, durationNanos, Set.of(mode), roamingClients, keys);
  }

  SimParams withDuration(long nanos) {
    return new SimParams(seed, nodes, nanos, unsafeModes, roamingClients, keys);
  }

  String describe() {
    return "seed=" + seed + " nodes=" + nodes + " duration=" + durationNanos / 1_000_000 + "ms mode="
        + (unsafeModes.isEmpty() ? "safe" : unsafeModes.stream().map(UnsafeMode::cliName).collect(Collectors.joining(",")));
  }

  /** A command line that replays exactly this run. */
  String replayCommand() {
    String unsafe = unsafeModes.isEmpty() ? ""
        : " -Dsim.unsafe=" + unsafeModes.stream().map(UnsafeMode::cliName).collect(Collectors.joining(","));
    return "mvn -B -pl store/raft test -Dtest=SimulationTest#replay -Dsim.seed=" + seed + " -Dsim.nodes=" + nodes
        + " -Dsim.durationMs=" + durationNanos / 1_000_000 + unsafe + " -Dsim.verbose=true";
  }
}
