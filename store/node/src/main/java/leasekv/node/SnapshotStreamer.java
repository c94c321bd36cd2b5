package leasekv.node;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import leasekv.fsm.CheckpointFiles;
import leasekv.fsm.DirectoryCheckpoint;
import leasekv.raft.Message;
import leasekv.transport.Lane;
import leasekv.transport.PeerTransport;

/**
 * Leader side of a snapshot transfer's bytes: streams a checkpoint's files on the snapshot lane
 * (BEGIN, CHUNKs, then END carrying the INSTALL_SNAPSHOT message) on its own thread, with flow
 * control, and deletes the checkpoint afterwards. The snapshot lane has its own connection and
 * queue, so heartbeats never wait behind it. What to send and when is the replica's decision.
 */
final class SnapshotStreamer implements AutoCloseable {
  private static final Logger LOG = System.getLogger("leasekv.snapshot");
  private static final int CHUNK_BYTES = 256 * 1024;
  private static final int MAX_QUEUED_CHUNKS = 8;
  private static final long STALL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final PeerTransport transport;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "snapshot-send");
            t.setDaemon(true);
            return t;
          });
  private final AtomicLong transferIds = new AtomicLong(System.nanoTime());

  SnapshotStreamer(PeerTransport transport) {
    this.transport = transport;
  }

  /**
   * Streams {@code checkpoint} to {@code install.to()}, then {@code install}; calls {@code done}
   * once.
   */
  void send(Message install, DirectoryCheckpoint checkpoint, Consumer<Boolean> done) {
    executor.execute(
        () -> {
          boolean ok = false;
          try {
            ok = stream(install, checkpoint);
          } catch (Exception e) {
            LOG.log(Level.WARNING, "snapshot to " + install.to() + " failed: " + e);
          } finally {
            checkpoint.discard();
            done.accept(ok);
          }
        });
  }

  private boolean stream(Message install, DirectoryCheckpoint checkpoint) throws Exception {
    String peer = install.to();
    List<CheckpointFiles.FileInfo> files = CheckpointFiles.list(checkpoint.dir());
    long id = transferIds.incrementAndGet();
    long bytes = 0;
    if (!offer(peer, SnapshotFrames.begin(id, files))) return false;
    for (CheckpointFiles.FileInfo f : files) {
      long offset = 0;
      do { // an empty file still gets one (empty) chunk, so that the receiver creates it
        byte[] data = CheckpointFiles.readChunk(checkpoint.dir(), f.name(), offset, CHUNK_BYTES);
        if (!offer(peer, SnapshotFrames.chunk(id, f.name(), offset, data))) return false;
        offset += CHUNK_BYTES;
        bytes += data.length;
      } while (offset < f.sizeBytes());
    }
    boolean sent = offer(peer, SnapshotFrames.end(id, MessageCodec.encode(install)));
    if (sent)
      LOG.log(
          Level.INFO,
          "sent snapshot " + install.snapshot().index() + " to " + peer + ": " + bytes + " bytes");
    return sent;
  }

  /** Waits while the lane's queue is full (flow control), then queues the frame. */
  private boolean offer(String peer, byte[] frame) throws InterruptedException {
    long deadline = System.nanoTime() + STALL_TIMEOUT_NANOS;
    while (transport.queuedFrames(peer, Lane.SNAPSHOT) >= MAX_QUEUED_CHUNKS) {
      if (System.nanoTime() - deadline > 0) {
        LOG.log(Level.WARNING, "snapshot to " + peer + " stalled: the lane did not drain in 30 s");
        return false;
      }
      Thread.sleep(2);
    }
    return transport.send(peer, Lane.SNAPSHOT, frame);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
