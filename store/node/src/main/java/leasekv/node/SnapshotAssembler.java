package leasekv.node;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import leasekv.fsm.CheckpointFiles;
import leasekv.fsm.CheckpointReceiver;
import leasekv.fsm.DirectoryCheckpoint;
import leasekv.fsm.RocksEngine;
import leasekv.raft.Message;

/**
 * Follower side of a snapshot transfer's bytes: receives a checkpoint's files into a staging
 * directory (on the transport's bulk thread), checks and fsyncs them, and only then hands the
 * checkpoint with its INSTALL_SNAPSHOT message to the replica, which decides what to do with it.
 */
final class SnapshotAssembler {
  private static final Logger LOG = System.getLogger("leasekv.snapshot");

  private record Transfer(
      long id, List<CheckpointFiles.FileInfo> files, CheckpointReceiver receiver) {}

  private final RocksEngine engine;
  private final ReplicaInbox inbox;
  private final Map<String, Transfer> transfers = new ConcurrentHashMap<>();

  SnapshotAssembler(RocksEngine engine, ReplicaInbox inbox) {
    this.engine = engine;
    this.inbox = inbox;
  }

  /** Transport (bulk thread): one frame of a transfer from {@code from}. */
  void onFrame(String from, byte[] frame) {
    try {
      Object f = SnapshotFrames.decode(frame);
      if (f instanceof SnapshotFrames.Begin b) {
        abort(transfers.remove(from));
        transfers.put(
            from,
            new Transfer(
                b.transferId(), b.files(), new CheckpointReceiver(engine.newStagingDir())));
      } else if (f instanceof SnapshotFrames.Chunk c) {
        Transfer t = transfers.get(from);
        if (t != null && t.id() == c.transferId())
          t.receiver().write(c.name(), c.offset(), c.data());
      } else if (f instanceof SnapshotFrames.End e) {
        Transfer t = transfers.remove(from);
        if (t != null && t.id() == e.transferId()) finish(t, MessageCodec.decode(e.message()));
      }
    } catch (Exception e) {
      LOG.log(Level.WARNING, "snapshot from " + from + " failed: " + e);
      abort(transfers.remove(from));
    }
  }

  private void finish(Transfer t, Message install) throws IOException {
    DirectoryCheckpoint checkpoint = t.receiver().finish(t.files());
    if (!inbox.post(replica -> replica.onSnapshotReceived(install, checkpoint)))
      checkpoint.discard();
  }

  private static void abort(Transfer t) {
    if (t == null) return;
    try {
      t.receiver().abort();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "could not delete an aborted snapshot transfer: " + e);
    }
  }
}
