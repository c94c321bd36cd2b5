package leasekv.replica;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import leasekv.fsm.Checkpoint;
import leasekv.fsm.StateMachine;
import leasekv.raft.Clock;
import leasekv.raft.ConfState;
import leasekv.raft.Message;
import leasekv.raft.RaftCore;
import leasekv.raft.SnapshotMeta;

/**
 * InstallSnapshot, both sides (durability rule D6 of docs/rules.md).
 *
 * <p>Leader: for an INSTALL_SNAPSHOT the core emits, a checkpoint is made on the apply lane (so it
 * holds exactly one applied index), the transport streams it and then delivers the message naming
 * the checkpoint's own index, term and membership, and the outcome goes back to the core. One
 * transfer per follower at a time.
 *
 * <p>Follower: a received checkpoint (already durable: its files and directory are synced) is
 * staged and its message stepped into the core; when the core's Ready asks for the snapshot, {@link
 * #install} replaces the state machine with it (durably, after everything queued on the apply lane)
 * and only then resets the log. A crash between the two leaves a state machine ahead of the log
 * exactly at the installed checkpoint, which {@link Recovery} completes.
 *
 * <p>Replica thread only, except the apply-lane job and the transport's completion (which posts
 * back).
 */
final class Snapshots {
  private static final Logger LOG = System.getLogger("leasekv.snapshot");

  /**
   * After a transfer, the follower still has to install it; until it answers, a heartbeat response
   * makes the core probe, find the follower behind, and ask for another snapshot. Within this time,
   * such a request is answered "sent" without streaming the same state again.
   */
  static final long RESEND_COOLDOWN_NANOS = 1_000_000_000L;

  private final StateMachine fsm;
  private final ApplyLane lane;
  private final Transport transport;
  private final Inbox inbox;
  private final RaftCore core;
  private final Clock clock;
  private final ConfState bootstrapConf;
  private final ApplyPipeline pipeline;
  private final Proposals proposals;
  private final LogStore log;
  private final boolean unsafeLogResetFirst;
  private final Set<String> inFlight = new HashSet<>();
  private final Map<String, Long> lastSentNanos = new HashMap<>();
  private final TreeMap<Long, Checkpoint> staged = new TreeMap<>();

  Snapshots(
      StateMachine fsm,
      ApplyLane lane,
      Transport transport,
      Inbox inbox,
      RaftCore core,
      Clock clock,
      ConfState bootstrapConf,
      ApplyPipeline pipeline,
      Proposals proposals,
      LogStore log,
      boolean unsafeLogResetFirst) {
    this.fsm = fsm;
    this.lane = lane;
    this.transport = transport;
    this.inbox = inbox;
    this.core = core;
    this.clock = clock;
    this.bootstrapConf = bootstrapConf;
    this.pipeline = pipeline;
    this.proposals = proposals;
    this.log = log;
    this.unsafeLogResetFirst = unsafeLogResetFirst;
  }

  // ---- leader side ----

  /** The core wants {@code m.to()} to install a snapshot. */
  void send(Message m) {
    String peer = m.to();
    Long last = lastSentNanos.get(peer);
    if (last != null && clock.nanoTime() - last < RESEND_COOLDOWN_NANOS) {
      inbox.post(() -> core.reportSnapshot(peer, true));
      return;
    }
    if (!inFlight.add(peer)) return; // one transfer per follower; the core retries after the report
    lane.submit(
        () -> {
          Checkpoint checkpoint;
          try {
            checkpoint = fsm.createCheckpoint(bootstrapConf);
          } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, () -> "snapshot for " + peer + " failed: " + e);
            inbox.post(() -> onSent(peer, false));
            return;
          }
          LOG.log(
              Level.INFO,
              () ->
                  "sending snapshot "
                      + checkpoint.meta().index()
                      + "@"
                      + checkpoint.meta().term()
                      + " to "
                      + peer);
          transport.sendSnapshot(
              m.withSnapshot(checkpoint.meta()),
              checkpoint,
              ok -> inbox.post(() -> onSent(peer, ok)));
        });
  }

  private void onSent(String peer, boolean ok) {
    inFlight.remove(peer);
    if (ok) lastSentNanos.put(peer, clock.nanoTime());
    core.reportSnapshot(peer, ok);
  }

  // ---- follower side ----

  /** A whole checkpoint arrived with its INSTALL_SNAPSHOT message. */
  void onReceived(Message install, Checkpoint checkpoint) {
    if (!checkpoint.meta().equals(install.snapshot())) {
      LOG.log(
          Level.WARNING,
          () ->
              "dropping a snapshot from "
                  + install.from()
                  + ": the checkpoint holds "
                  + checkpoint.meta()
                  + " but the message names "
                  + install.snapshot());
      checkpoint.discard();
      return;
    }
    Checkpoint replaced = staged.put(checkpoint.meta().index(), checkpoint);
    if (replaced != null && replaced != checkpoint) replaced.discard();
    LOG.log(
        Level.INFO,
        () ->
            "received snapshot "
                + checkpoint.meta().index()
                + "@"
                + checkpoint.meta().term()
                + " from "
                + install.from());
    core.step(install);
  }

  /**
   * Persist step of a Ready: the core accepted snapshot {@code meta}. Replaces the state machine
   * with the staged checkpoint (after everything the apply lane already had), then resets the log
   * (synced).
   */
  void install(SnapshotMeta meta) throws IOException {
    Checkpoint checkpoint = staged.remove(meta.index());
    if (checkpoint == null)
      throw new ReplicaFailure("the core installs snapshot " + meta + " but none was received");
    if (unsafeLogResetFirst)
      log.installSnapshot(meta); // UNSAFE log-reset-before-install: the log first
    try {
      lane.call(() -> fsm.restoreFromCheckpoint(checkpoint));
    } catch (Exception e) {
      throw new IOException(
          "restoring the state machine from snapshot " + meta.index() + " failed", e);
    }
    pipeline.onRestored(meta.index());
    proposals.onAppliedThrough(meta.index(), "replaced by a snapshot from the leader");
    if (!unsafeLogResetFirst) log.installSnapshot(meta);
    for (Iterator<Map.Entry<Long, Checkpoint>> it =
            staged.headMap(meta.index(), true).entrySet().iterator();
        it.hasNext(); ) {
      it.next().getValue().discard();
      it.remove();
    }
    LOG.log(
        Level.INFO,
        () ->
            "installed snapshot "
                + meta.index()
                + "@"
                + meta.term()
                + " voters="
                + meta.conf().voters());
  }
}
