package leasekv.replica;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import leasekv.fsm.StateMachine;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.SnapshotMeta;

/**
 * Checks, at start, that the log and the state machine describe one history (durability rule D5 of
 * docs/rules.md): firstIndex - 1 <= applied <= lastIndex, or a state that an interrupted snapshot
 * install explains, which is completed. Anything else is refused.
 */
final class Recovery {
  private static final Logger LOG = System.getLogger("leasekv.recovery");

  private Recovery() {}

  static void reconcile(LogStore log, StateMachine fsm, UnsafeModes unsafe) throws IOException {
    if (unsafe.has(UnsafeModes.Mode.SKIP_REPLAY)) skipReplay(log, fsm);
    long applied = fsm.appliedIndex();
    if (applied > log.lastIndex()) stateMachineAheadOfLog(log, fsm, applied, unsafe);
    SnapshotMeta point = log.snapshot();
    if (applied >= point.index()) return;
    if (!unsafe.has(UnsafeModes.Mode.COMPACT_PAST_DURABLE_APPLIED)) {
      throw new StateCorruptionException(
          "the state machine has applied through "
              + applied
              + " but the log was compacted through "
              + point.index()
              + ": entries "
              + (applied + 1)
              + ".."
              + point.index()
              + " are gone");
    }
    // UNSAFE compact-past-durable-applied: a store without this check silently skips the lost
    // entries.
    LOG.log(
        Level.WARNING,
        "UNSAFE: skipping lost entries "
            + (applied + 1)
            + ".."
            + point.index()
            + " (compact-past-durable-applied)");
    List<Entry> skip = new ArrayList<>();
    for (long i = applied + 1; i <= point.index(); i++)
      skip.add(Entry.noop(Math.max(1, point.term()), i));
    fsm.apply(skip);
  }

  /**
   * UNSAFE skip-replay: the committed entries the state machine lacks (a nosync power loss rolled
   * it back) are marked applied without being applied, as a store that trusted its log's commit
   * index for its state would do.
   */
  private static void skipReplay(LogStore log, StateMachine fsm) throws IOException {
    long applied = fsm.appliedIndex();
    long commit = Math.min(log.hardState().commit(), log.lastIndex());
    if (commit <= applied || applied < log.snapshot().index()) return;
    LOG.log(
        Level.WARNING,
        "UNSAFE: not replaying entries " + (applied + 1) + ".." + commit + " (skip-replay)");
    List<Entry> skip = new ArrayList<>();
    for (long i = applied + 1; i <= commit; i++) skip.add(Entry.noop(log.term(i), i));
    fsm.apply(skip);
  }

  /**
   * A follower installing a snapshot replaces the state machine first and then resets the log; a
   * crash in between leaves a state machine ahead of the log, exactly at the installed checkpoint.
   * That state is a committed snapshot from the leader, so finishing the install is the repair. Any
   * other state machine ahead of its log means the log lost entries it had acknowledged.
   */
  private static void stateMachineAheadOfLog(
      LogStore log, StateMachine fsm, long applied, UnsafeModes unsafe) throws IOException {
    SnapshotMeta installed = fsm.installedCheckpointMeta().orElse(null);
    if (installed != null && installed.index() == applied) {
      LOG.log(
          Level.WARNING,
          "the state machine is at "
              + applied
              + " but the log ends at "
              + log.lastIndex()
              + ": completing an interrupted snapshot install "
              + installed);
      log.installSnapshot(installed);
      return;
    }
    if (!unsafe.has(UnsafeModes.Mode.WAL_NO_FSYNC)) {
      throw new StateCorruptionException(
          "the state machine has applied through "
              + applied
              + " but the log ends at "
              + log.lastIndex()
              + ": the log lost entries it had acknowledged");
    }
    // UNSAFE wal-no-fsync: a store that never fsyncs has no way to notice; it carries on.
    ConfState conf = fsm.appliedConf() != null ? fsm.appliedConf() : log.latestConfState();
    SnapshotMeta meta = new SnapshotMeta(applied, Math.max(1, fsm.appliedTerm()), conf);
    LOG.log(
        Level.WARNING,
        "UNSAFE: the log lost entries through "
            + applied
            + " (wal-no-fsync); continuing from "
            + meta);
    log.installSnapshot(meta);
  }
}
