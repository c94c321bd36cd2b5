package leasekv.replica.sim;

import leasekv.fsm.SyncMode;
import leasekv.replica.ReadPolicy;
import leasekv.replica.UnsafeModes;

/**
 * What one simulation run does. Everything else derives from {@code seed}.
 *
 * @param durationNanos simulated time with clients and faults running (a settle phase follows)
 */
record SimParams(long seed, int nodes, long durationNanos, UnsafeModes unsafe, SyncMode syncMode, ReadPolicy readPolicy) {
  static final long DEFAULT_DURATION_NANOS = 6_000_000_000L;

  static SimParams safe(long seed, int nodes) {
    return new SimParams(seed, nodes, DEFAULT_DURATION_NANOS, UnsafeModes.NONE, SyncMode.NOSYNC, ReadPolicy.LEASE);
  }

  SimParams withUnsafe(UnsafeModes modes) {
    return new SimParams(seed, nodes, durationNanos, modes, syncMode, readPolicy);
  }

  SimParams withDuration(long nanos) {
    return new SimParams(seed, nodes, nanos, unsafe, syncMode, readPolicy);
  }

  SimParams withSyncMode(SyncMode mode) {
    return new SimParams(seed, nodes, durationNanos, unsafe, mode, readPolicy);
  }

  SimParams withReadPolicy(ReadPolicy policy) {
    return new SimParams(seed, nodes, durationNanos, unsafe, syncMode, policy);
  }

  String describe() {
    return "seed=" + seed + " nodes=" + nodes + " duration=" + durationNanos / 1_000_000 + "ms fsm="
        + syncMode.name().toLowerCase() + " reads=" + readPolicy.name().toLowerCase().replace('_', '-') + " mode=" + unsafe;
  }

  /** A command line that replays exactly this run, printing its event log. */
  String replayCommand() {
    return "make simulate SEED=" + seed + " NODES=" + nodes + " DURATION_MS=" + durationNanos / 1_000_000
        + " FSM=" + syncMode.name().toLowerCase() + " READS=" + readPolicy.name().toLowerCase().replace('_', '-')
        + (unsafe.any() ? " UNSAFE=" + unsafe.names() : "");
  }
}
