package leasekv.node;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import leasekv.fsm.CheckpointFiles;

import leasekv.fsm.FileSync;
import leasekv.fsm.StateMachine;
import leasekv.raft.ConfState;
import leasekv.raft.Message;
import leasekv.raft.SnapshotMeta;
import leasekv.transport.Lane;
import leasekv.transport.PeerTransport;

/**
 * Leader side of InstallSnapshot: makes a RocksDB checkpoint (on the apply thread, so it holds
 * exactly one applied index), streams its files on the snapshot lane, then sends the
 * INSTALL_SNAPSHOT message with the checkpoint's own index, term and membership, and reports the
 * outcome to the core. Runs on its own thread; the snapshot lane has its own connection and queue,
 * so heartbeats never wait behind it.
 */
final class SnapshotSender implements AutoCloseable {
  private static final Log LOG = Log.of("snapshot");
  private static final int CHUNK_BYTES = 256 * 1024;
  private static final int MAX_QUEUED_CHUNKS = 8;
  private static final long STALL_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
  /**
   * After a transfer, the follower still has to install it; until it answers, a heartbeat response
   * makes the core probe, find the follower behind, and ask for another snapshot. Within this time,
   * such a request is answered "sent" without streaming the same state again.
   */
  private static final long RESEND_COOLDOWN_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final StateMachine fsm;
  private final Applier applier;
  private final PeerTransport transport;
  private final ConfState bootstrapConf;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "snapshot-send");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  /** When a transfer to each follower last completed (System.nanoTime). */
  private final Map<String, Long> lastSent = new ConcurrentHashMap<>();
  private final AtomicLong transferIds = new AtomicLong(System.nanoTime());
  private RaftLoop loop;

  SnapshotSender(StateMachine fsm, Applier applier, PeerTransport transport, ConfState bootstrapConf) {
    this.fsm = fsm;
    this.applier = applier;
    this.transport = transport;
    this.bootstrapConf = bootstrapConf;
  }

  void attach(RaftLoop raftLoop) {
    this.loop = raftLoop;
  }

  /** Loop thread: the core wants {@code m.to()} to install a snapshot. */
  void send(Message m) {
    Long last = lastSent.get(m.to());
    if (last != null && System.nanoTime() - last < RESEND_COOLDOWN_NANOS) {
      loop.execute(() -> loop.core().reportSnapshot(m.to(), true));
      return;
    }
    if (!inFlight.add(m.to())) return; // one transfer per follower; the core retries after the report
    executor.execute(() -> {
      boolean ok = false;
      try {
        ok = stream(m);
      } catch (Exception e) {
        LOG.warn("snapshot to " + m.to() + " failed: " + e);
      } finally {
        if (ok) lastSent.put(m.to(), System.nanoTime());
        inFlight.remove(m.to());
        boolean success = ok;
        loop.execute(() -> loop.core().reportSnapshot(m.to(), success));
      }
    });
  }

  private boolean stream(Message m) throws Exception {
    leasekv.fsm.DirectoryCheckpoint made =
        (leasekv.fsm.DirectoryCheckpoint) applier.call(() -> fsm.createCheckpoint(bootstrapConf)).get();
    Path checkpoint = made.dir();
    Path staging = checkpoint.getParent();
    try {
      SnapshotMeta meta = made.meta();
      List<CheckpointFiles.FileInfo> files = CheckpointFiles.list(checkpoint);
      long id = transferIds.incrementAndGet();
      long bytes = 0;
      LOG.info("sending snapshot " + meta.index() + "@" + meta.term() + " to " + m.to() + " (" + files.size() + " files)");
      if (!offer(m.to(), SnapshotFrames.begin(id, files))) return false;
      for (CheckpointFiles.FileInfo f : files) {
        long offset = 0;
        do { // an empty file still gets one (empty) chunk, so that the receiver creates it
          byte[] data = CheckpointFiles.readChunk(checkpoint, f.name(), offset, CHUNK_BYTES);
          if (!offer(m.to(), SnapshotFrames.chunk(id, f.name(), offset, data))) return false;
          offset += CHUNK_BYTES;
          bytes += data.length;
        } while (offset < f.sizeBytes());
      }
      Message install = new Message(m.type(), m.from(), m.to(), m.term(), m.logTerm(), m.index(), List.of(),
          m.commit(), m.reject(), m.rejectHint(), meta, m.seq(), m.transfer());
      boolean sent = offer(m.to(), SnapshotFrames.end(id, MessageCodec.encode(install)));
      if (sent) LOG.info("sent snapshot " + meta.index() + " to " + m.to() + ": " + bytes + " bytes");
      return sent;
    } finally {
      FileSync.deleteTree(staging);
    }
  }

  /** Waits while the lane's queue is full (flow control), then queues the frame. */
  private boolean offer(String peer, byte[] frame) throws InterruptedException {
    long deadline = System.nanoTime() + STALL_TIMEOUT_NANOS;
    while (transport.queuedFrames(peer, Lane.SNAPSHOT) >= MAX_QUEUED_CHUNKS) {
      if (System.nanoTime() - deadline > 0) {
        LOG.warn("snapshot to " + peer + " stalled: the lane did not drain in 30 s");
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
