package leasekv.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import leasekv.fsm.CheckpointFiles;
import leasekv.fsm.CheckpointReceiver;
import leasekv.fsm.FileSync;
import leasekv.fsm.StateMachine;
import leasekv.raft.Message;
import leasekv.raft.SnapshotMeta;
import leasekv.wal.Wal;

/**
 * Follower side of InstallSnapshot. Receives a checkpoint's files into a staging directory (on the
 * transport's bulk thread), fsyncs them, and only then steps the INSTALL_SNAPSHOT message into the
 * core. When the core's Ready asks for the snapshot, {@link #install} replaces the state machine
 * with it (durably) and resets the WAL to start after it (synced) before anything else happens.
 */
final class SnapshotReceiver {
  private static final Log LOG = Log.of("snapshot");

  private record Transfer(long id, List<CheckpointFiles.FileInfo> files, CheckpointReceiver receiver) {}

  private final StateMachine fsm;
  private final Applier applier;
  private final Wal wal;
  private final Proposals proposals;
  private final Map<String, Transfer> transfers = new ConcurrentHashMap<>();
  private final Map<Long, Path> staged = new ConcurrentHashMap<>();
  private RaftLoop loop;

  SnapshotReceiver(StateMachine fsm, Applier applier, Wal wal, Proposals proposals) {
    this.fsm = fsm;
    this.applier = applier;
    this.wal = wal;
    this.proposals = proposals;
  }

  void attach(RaftLoop raftLoop) {
    this.loop = raftLoop;
  }

  /** Transport (bulk thread): one frame of a transfer from {@code from}. */
  void onFrame(String from, byte[] frame) {
    try {
      Object f = SnapshotFrames.decode(frame);
      if (f instanceof SnapshotFrames.Begin b) {
        abort(transfers.remove(from));
        transfers.put(from, new Transfer(b.transferId(), b.files(), new CheckpointReceiver(((leasekv.fsm.RocksEngine) fsm.engine()).newStagingDir())));
      } else if (f instanceof SnapshotFrames.Chunk c) {
        Transfer t = transfers.get(from);
        if (t != null && t.id() == c.transferId()) t.receiver().write(c.name(), c.offset(), c.data());
      } else if (f instanceof SnapshotFrames.End e) {
        Transfer t = transfers.remove(from);
        if (t != null && t.id() == e.transferId()) finish(from, t, MessageCodec.decode(e.message()));
      }
    } catch (Exception e) {
      LOG.warn("snapshot from " + from + " failed: " + e);
      abort(transfers.remove(from));
    }
  }

  private void finish(String from, Transfer t, Message install) throws IOException {
    SnapshotMeta received = t.receiver().finish(t.files()).meta();
    if (!received.equals(install.snapshot())) {
      t.receiver().abort();
      throw new IOException("checkpoint holds " + received + " but the message names " + install.snapshot());
    }
    Path old = staged.put(received.index(), t.receiver().dir());
    if (old != null && !old.equals(t.receiver().dir())) FileSync.deleteTree(old);
    LOG.info("received snapshot " + received.index() + "@" + received.term() + " from " + from);
    loop.execute(() -> loop.core().step(install));
  }

  /**
   * Loop thread: the core accepted the snapshot {@code meta}. Replaces the state machine with the
   * staged checkpoint (after everything the applier already had), then resets the WAL (synced).
   */
  void install(SnapshotMeta meta) throws IOException {
    Path dir = staged.remove(meta.index());
    if (dir == null) throw new IllegalStateException("the core installs snapshot " + meta + " but none was received");
    try {
      applier.call(() -> fsm.restoreFromCheckpoint(leasekv.fsm.DirectoryCheckpoint.read(dir))).get();
    } catch (ExecutionException e) {
      throw new IOException("restoring the state machine from snapshot " + meta.index() + " failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while restoring snapshot " + meta.index());
    }
    applier.onRestored(meta.index());
    proposals.onAppliedThrough(meta.index(), "replaced by a snapshot from the leader");
    wal.installSnapshot(meta);
    for (var e : Map.copyOf(staged).entrySet()) {
      if (e.getKey() <= meta.index() && staged.remove(e.getKey(), e.getValue())) FileSync.deleteTree(e.getValue());
    }
    LOG.info("installed snapshot " + meta.index() + "@" + meta.term() + " voters=" + meta.conf().voters());
  }

  private static void abort(Transfer t) {
    if (t == null) return;
    try {
      t.receiver().abort();
    } catch (IOException e) {
      LOG.warn("could not delete an aborted snapshot transfer: " + e);
    }
  }
}
