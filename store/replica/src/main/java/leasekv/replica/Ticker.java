package leasekv.replica;

import java.util.function.BooleanSupplier;
import leasekv.raft.RaftCore;

/**
 * Ticks the core once per {@code tickNanos} of the replica's clock, and only once this node's
 * connections reach a quorum of its configuration's voters.
 *
 * <p>After a long stall (a GC pause, SIGSTOP) only a few ticks are replayed: fewer ticks than real
 * time only delays elections and vote grants, which is the safe direction; the lease itself is
 * measured on the clock, not in ticks.
 *
 * <p>The quorum gate: a node that cannot reach a quorum could not win an election anyway; and nodes
 * that start together then begin their randomized timeouts when the last peer they need comes up,
 * instead of queueing pre-votes that all arrive together once the connections exist and split the
 * vote. Ticking later than real time is the safe direction.
 */
final class Ticker {
  static final int MAX_CATCH_UP_TICKS = 3;

  private final long tickNanos;
  private final BooleanSupplier reachesQuorum;
  private long nextTickNanos;
  private boolean reachedQuorum; // once true, stays true

  Ticker(long tickNanos, long nowNanos, BooleanSupplier reachesQuorum) {
    this.tickNanos = tickNanos;
    this.reachesQuorum = reachesQuorum;
    this.nextTickNanos = nowNanos + tickNanos;
  }

  /** Ticks {@code core} for the ticks due at {@code nowNanos} (at most {@link #MAX_CATCH_UP_TICKS}); returns how many. */
  int tickIfDue(RaftCore core, long nowNanos) {
    if (nowNanos - nextTickNanos < 0) return 0;
    if (!reachedQuorum && !(reachedQuorum = reachesQuorum.getAsBoolean())) {
      nextTickNanos = nowNanos + tickNanos; // ask again next tick
      return 0;
    }
    int ticks = 0;
    while (nowNanos - nextTickNanos >= 0 && ticks < MAX_CATCH_UP_TICKS) {
      // Only the first tick of a batch counts toward vote refusal: the batch may stand for a forward
      // clock jump rather than elapsed time (lease rule L4).
      if (ticks == 0) core.tick(); else core.tickCatchingUp();
      nextTickNanos += tickNanos;
      ticks++;
    }
    if (nowNanos - nextTickNanos >= 0) nextTickNanos = nowNanos + tickNanos;
    return ticks;
  }

  /** The clock reading at which the next tick is due. */
  long nextTickNanos() {
    return nextTickNanos;
  }
}
