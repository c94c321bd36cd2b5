package leasekv.replica;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import leasekv.fsm.StateMachine;
import leasekv.raft.RaftCore;

/**
 * Keeps the Raft log short (durability rule D4 of docs/rules.md). Every {@code intervalEntries}
 * applied entries the apply lane makes the state machine durable and asks the replica's thread to
 * compact the log up to the DURABLE applied index (minus a tail kept for slow followers): in nosync
 * mode the state machine may lose its unsynced writes in a power loss, and the log must still hold
 * every entry needed to replay them.
 *
 * <p>Unsafe mode {@code compact-past-durable-applied} compacts up to the in-memory applied index
 * instead, which is exactly the bug that loses acknowledged writes after a power loss.
 */
final class Compaction implements ApplyPipeline.Listener {
  private static final Logger LOG = System.getLogger("leasekv.compact");

  private final StateMachine fsm;
  private final LogStore log;
  private final RaftCore core;
  private final Inbox inbox;
  private final long intervalEntries;
  private final long retainEntries;
  private final boolean unsafePastDurable;
  private long lastPassApplied;

  Compaction(StateMachine fsm, LogStore log, RaftCore core, Inbox inbox, ReplicaConfig config) {
    this.fsm = fsm;
    this.log = log;
    this.core = core;
    this.inbox = inbox;
    this.intervalEntries = config.snapshotIntervalEntries();
    this.retainEntries = config.logRetainEntries();
    this.unsafePastDurable = config.unsafe().has(UnsafeModes.Mode.COMPACT_PAST_DURABLE_APPLIED);
    this.lastPassApplied = fsm.appliedIndex();
  }

  @Override
  public void afterApply(long appliedIndex) {
    if (appliedIndex - lastPassApplied >= intervalEntries) pass(appliedIndex, retainEntries);
  }

  /**
   * Apply lane: makes the state machine durable, then has the replica compact. Returns the target.
   */
  long pass(long appliedIndex, long retain) {
    lastPassApplied = appliedIndex;
    long durable;
    try {
      // UNSAFE compact-past-durable-applied skips making the state machine durable: compacting to
      // the in-memory applied index right after makeDurable() would compact to a durable index
      // after all (both run on the apply lane), and the mode would inject nothing.
      durable = unsafePastDurable ? fsm.durableAppliedIndex() : fsm.makeDurable();
    } catch (IOException e) {
      throw new ReplicaFailure("cannot make the state machine durable", e);
    }
    long target = (unsafePastDurable ? appliedIndex : durable) - retain;
    if (target > 0) inbox.post(() -> compact(target));
    return target;
  }

  /** Replica thread. */
  private void compact(long target) {
    long upTo = Math.min(target, Math.min(core.status().appliedIndex(), log.lastIndex()));
    if (upTo <= log.firstIndex() - 1) return;
    try {
      log.compact(upTo);
    } catch (IOException e) {
      throw new ReplicaFailure("log compaction failed", e);
    }
    core.onLogCompacted(upTo);
    LOG.log(
        Level.INFO,
        () ->
            "compacted the log through "
                + upTo
                + (unsafePastDurable ? " (UNSAFE: past the durable applied index)" : ""));
  }
}
