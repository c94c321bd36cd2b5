package leasekv.node;

import java.io.IOException;
import leasekv.fsm.StateMachine;
import leasekv.raft.RaftCore;
import leasekv.wal.Wal;

/**
 * Keeps the Raft log short. Every {@code intervalEntries} applied entries the apply thread makes the
 * state machine durable and asks the loop to compact the log up to the DURABLE applied index (minus
 * a tail kept for slow followers): in nosync mode the state machine may lose its unsynced writes in
 * a power loss, and the log must still hold every entry needed to replay them.
 *
 * <p>Unsafe mode {@code compact-past-durable-applied} compacts up to the in-memory applied index
 * instead, which is exactly the bug that loses acknowledged writes after a power loss.
 */
final class LogCompactor implements Applier.Compaction {
  private static final Log LOG = Log.of("compact");

  private final StateMachine fsm;
  private final Wal wal;
  private final long intervalEntries;
  private final long retainEntries;
  private final boolean unsafePastDurable;
  private RaftLoop loop;
  private long lastPassApplied;

  LogCompactor(StateMachine fsm, Wal wal, long intervalEntries, long retainEntries, boolean unsafePastDurable) {
    this.fsm = fsm;
    this.wal = wal;
    this.intervalEntries = intervalEntries;
    this.retainEntries = retainEntries;
    this.unsafePastDurable = unsafePastDurable;
    this.lastPassApplied = fsm.appliedIndex();
  }

  void attach(RaftLoop raftLoop) {
    this.loop = raftLoop;
  }

  @Override
  public void afterApply(long appliedIndex) {
    if (appliedIndex - lastPassApplied >= intervalEntries) pass(appliedIndex, retainEntries);
  }

  /** Apply thread: makes the state machine durable, then has the loop compact. Returns the target. */
  long pass(long appliedIndex, long retain) {
    lastPassApplied = appliedIndex;
    long durable;
    try {
      // UNSAFE compact-past-durable-applied skips making the state machine durable: compacting to the
      // in-memory applied index right after makeDurable() would compact to a durable index after all
      // (both run on this thread), and the mode would inject nothing.
      durable = unsafePastDurable ? fsm.durableAppliedIndex() : fsm.makeDurable();
    } catch (Exception e) {
      LOG.error("FATAL: cannot make the state machine durable", e);
      Runtime.getRuntime().halt(1);
      return 0;
    }
    long target = (unsafePastDurable ? appliedIndex : durable) - retain;
    if (target > 0) loop.execute(() -> compactOnLoop(target));
    return target;
  }

  private void compactOnLoop(long target) {
    RaftCore core = loop.core();
    long upTo = Math.min(target, Math.min(core.status().appliedIndex(), wal.lastIndex()));
    if (upTo <= wal.firstIndex() - 1) return;
    try {
      wal.compact(upTo);
    } catch (IOException e) {
      LOG.error("FATAL: WAL compaction failed", e);
      Runtime.getRuntime().halt(1);
    }
    core.onLogCompacted(upTo);
    LOG.info("compacted the log through " + upTo + (unsafePastDurable ? " (UNSAFE: past the durable applied index)" : ""));
  }
}
