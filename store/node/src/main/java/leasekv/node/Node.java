package leasekv.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import leasekv.fsm.FsmOptions;
import leasekv.fsm.StateMachine;
import leasekv.metrics.MetricsHttpServer;
import leasekv.metrics.MetricsRegistry;
import leasekv.raft.Clock;
import leasekv.raft.ConfState;
import leasekv.raft.Entry;
import leasekv.raft.Message;
import leasekv.raft.RaftConfig;
import leasekv.raft.RaftCore;
import leasekv.raft.SnapshotMeta;
import leasekv.server.RespServer;
import leasekv.server.RespServerConfig;
import leasekv.transport.EventLoops;
import leasekv.transport.Lane;
import leasekv.transport.PeerTransport;
import leasekv.transport.TransportConfig;
import leasekv.wal.Wal;
import leasekv.wal.WalOptions;

/**
 * One running leasekv node. {@link #start} recovers the WAL and the state machine, checks that they
 * fit together, builds the core, starts the threads and the servers, and replays the committed log
 * into the state machine; clients get {@code NOTREADY} until the replay is done.
 */
public final class Node implements AutoCloseable {
  private static final Log LOG = Log.of("node");

  private final NodeConfig config;
  private final Wal wal;
  private final StateMachine fsm;
  private final EventLoops loops;
  private final PeerTransport transport;
  private final Applier applier;
  private final RaftLoop loop;
  private final SnapshotSender sender;
  private final NodeService service;
  private final RespServer server;
  private final MetricsHttpServer metricsServer;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private boolean closed;

  private Node(NodeConfig config, Wal wal, StateMachine fsm, EventLoops loops, PeerTransport transport,
      Applier applier, RaftLoop loop, SnapshotSender sender, NodeService service, RespServer server,
      MetricsHttpServer metricsServer) {
    this.config = config;
    this.wal = wal;
    this.fsm = fsm;
    this.loops = loops;
    this.transport = transport;
    this.applier = applier;
    this.loop = loop;
    this.sender = sender;
    this.service = service;
    this.server = server;
    this.metricsServer = metricsServer;
  }

  /** Starts a node and returns once it serves clients (the log is replayed). */
  public static Node start(NodeConfig config) throws Exception {
    return start(config, Clock.SYSTEM, new SecureRandom());
  }

  static Node start(NodeConfig config, Clock source, Random random) throws Exception {
    LOG.info("starting " + config.id() + " peers=" + config.peers().values() + " read-mode=" + config.readMode().cliName()
        + " fsm-sync-mode=" + config.fsmSyncMode().name().toLowerCase()
        + (config.unsafe().any() ? " UNSAFE=" + config.unsafe().names() : ""));
    AdjustableClock clock = new AdjustableClock(source);
    MetricsRegistry registry = new MetricsRegistry();
    NodeMetrics metrics = new NodeMetrics(registry, config.fsmSyncMode());
    Wal wal = Wal.open(WalOptions.defaults(config.walDir()).withNoFsync(config.unsafe().walNoFsync())
        .withMetrics(metrics.walMetrics()));
    LOG.info("wal: " + wal.recoveryReport());
    StateMachine fsm = StateMachine.open(new FsmOptions(config.fsmDir(), config.fsmSyncMode(),
        config.unsafe().appliedIndexAheadOfData(), false));
    Recovery.reconcile(config, wal, fsm);
    RaftConfig raftConfig = config.raftConfig(fsm.appliedIndex());
    RaftCore core = new RaftCore(raftConfig, new WalLogStorage(wal), clock, random);
    long replayTarget = Math.max(wal.hardState().commit(), fsm.appliedIndex());
    LOG.info("recovered: applied=" + fsm.appliedIndex() + " commit=" + wal.hardState().commit() + " log=["
        + wal.firstIndex() + ".." + wal.lastIndex() + "] term=" + wal.hardState().term()
        + " lease=" + raftConfig.leaseNanos() / 1_000_000.0 + "ms");

    EventLoops loops = EventLoops.forTwoCores();
    Proposals proposals = new Proposals();
    AppliedWaiters waiters = new AppliedWaiters(fsm.appliedIndex());
    LogCompactor compactor = new LogCompactor(fsm, wal, config.snapshotIntervalEntries(), config.logRetainEntries(),
        config.unsafe().compactPastDurableApplied());
    Applier applier = new Applier(fsm, proposals, waiters, metrics, compactor);
    SnapshotReceiver receiver = new SnapshotReceiver(fsm, applier, wal, proposals);
    Inbound inbound = new Inbound(receiver);
    PeerTransport transport = new PeerTransport(transportConfig(config), loops, registry, inbound);
    SnapshotSender sender = new SnapshotSender(fsm, applier, transport, new ConfState(new ArrayList<>(config.peers().keySet())));
    Outbound outbound = new Outbound(transport, sender);
    NodeInfo info = new NodeInfo(config, clock, wal, fsm, raftConfig.leaseNanos());
    ReadPath reads = new ReadPath(config.readMode(), clock, fsm, waiters, metrics, null);
    RaftLoop loop = new RaftLoop(core, wal, clock, raftConfig.tickNanos(), outbound, applier, proposals, receiver,
        reads, metrics, () -> controlLanesReachQuorum(config.id(), core.conf(), transport)); // on the loop's thread, as core is
    NodeService service = new NodeService(config, clock, loop, reads, proposals, applier, fsm, compactor, transport, info);
    reads.setNotLeader(service::notLeader);
    reads.attach(loop);
    receiver.attach(loop);
    sender.attach(loop);
    outbound.attach(core);
    compactor.attach(loop);
    inbound.attach(loop);
    info.attach(loop, applier::appliedIndex);

    applier.start();
    loop.start();
    transport.start();
    RespServer server = new RespServer(RespServerConfig.defaults(config.clientAddr()), service, loops).start();
    MetricsHttpServer metricsServer = new MetricsHttpServer(registry, config.metricsAddr(), loops).start();
    registry.callbackGauge("leasekv_applied_index", "Applied index", applier::appliedIndex);
    registry.callbackGauge("leasekv_durable_applied_index", "Durable applied index", fsm::durableAppliedIndex);
    Node node = new Node(config, wal, fsm, loops, transport, applier, loop, sender, service, server, metricsServer);
    node.awaitReplay(replayTarget);
    service.startServing();
    LOG.info("serving clients on " + server.boundAddress() + " (replayed through " + applier.appliedIndex() + ")");
    return node;
  }

  /**
   * True when this node and the voters its control lanes are connected to make a quorum of the
   * current configuration (which a membership change may have made smaller than --peers).
   */
  private static boolean controlLanesReachQuorum(String self, ConfState conf, PeerTransport transport) {
    int reached = 1;
    for (String voter : conf.voters()) {
      if (!voter.equals(self) && transport.isConnected(voter, Lane.CONTROL)) reached++;
    }
    return reached >= conf.quorum();
  }

  private static TransportConfig transportConfig(NodeConfig config) {
    Map<String, InetSocketAddress> others = new LinkedHashMap<>();
    config.peers().forEach((id, p) -> {
      if (!id.equals(config.id())) others.put(id, p.peerSocket());
    });
    return TransportConfig.defaults(config.clusterId(), config.id(), config.peerAddr(), others);
  }

  /** Waits until the state machine applied everything the log says is committed. */
  private void awaitReplay(long target) throws InterruptedException {
    long lastLog = System.nanoTime();
    while (applier.appliedIndex() < target) {
      Thread.sleep(5);
      if (System.nanoTime() - lastLog > 2_000_000_000L) {
        LOG.info("replaying: applied " + applier.appliedIndex() + " of " + target);
        lastLog = System.nanoTime();
      }
    }
  }

  /** Routes inbound frames: snapshot chunks to the receiver, Raft messages to the loop. */
  private static final class Inbound implements leasekv.transport.FrameHandler {
    private static final Log LOG = Log.of("transport");
    private final SnapshotReceiver receiver;
    private RaftLoop loop;

    Inbound(SnapshotReceiver receiver) {
      this.receiver = receiver;
    }

    void attach(RaftLoop raftLoop) {
      this.loop = raftLoop;
    }

    @Override
    public void onFrame(String fromPeer, Lane lane, byte[] frame) {
      if (loop == null) return; // not started yet: Raft tolerates the loss
      if (lane == Lane.SNAPSHOT) {
        receiver.onFrame(fromPeer, frame);
        return;
      }
      Message m;
      try {
        m = MessageCodec.decode(frame);
      } catch (MessageCodec.MalformedFrameException e) {
        LOG.warn("dropping a malformed frame from " + fromPeer + ": " + e.getMessage());
        return;
      }
      loop.execute(() -> {
        try {
          loop.core().step(m);
        } catch (IllegalArgumentException e) {
          LOG.warn("dropping " + m + ": " + e.getMessage());
        }
      });
    }
  }

  public InetSocketAddress clientAddress() {
    return server.boundAddress();
  }

  public String id() {
    return config.id();
  }

  /** Blocks until {@link #close()}. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    LOG.info("stopping " + config.id());
    server.close();
    metricsServer.close();
    loop.stop();
    sender.close();
    transport.close();
    applier.stop();
    try {
      fsm.close();
      wal.close();
    } catch (IOException e) {
      LOG.error("closing storage failed", e);
    }
    loops.close();
    terminated.countDown();
    LOG.info("stopped " + config.id());
  }

  /** Checks, at start, that the WAL and the state machine describe one consistent history. */
  static final class Recovery {
    private Recovery() {}

    static void reconcile(NodeConfig config, Wal wal, StateMachine fsm) throws Exception {
      long applied = fsm.appliedIndex();
      if (applied > wal.lastIndex()) stateMachineAheadOfLog(config, wal, fsm, applied);
      SnapshotMeta point = wal.compactionPoint();
      if (applied >= point.index()) return;
      if (!config.unsafe().compactPastDurableApplied()) {
        throw new StateCorruptionException("the state machine in " + config.fsmDir() + " has applied through " + applied
            + " but the WAL in " + config.walDir() + " was compacted through " + point.index() + ": entries "
            + (applied + 1) + ".." + point.index() + " are gone");
      }
      // UNSAFE compact-past-durable-applied: a store without this check silently skips the lost entries.
      LOG.warn("UNSAFE: skipping lost entries " + (applied + 1) + ".." + point.index() + " (compact-past-durable-applied)");
      List<Entry> skip = new ArrayList<>();
      for (long i = applied + 1; i <= point.index(); i++) skip.add(Entry.noop(Math.max(1, point.term()), i));
      fsm.apply(skip);
    }

    /**
     * A follower installing a snapshot replaces the state machine first and then resets the WAL; a
     * crash in between leaves a state machine ahead of the log, exactly at the installed checkpoint.
     * That state is a committed snapshot from the leader, so finishing the install is the repair.
     * Any other state machine ahead of its log means the WAL lost entries it had acknowledged.
     */
    private static void stateMachineAheadOfLog(NodeConfig config, Wal wal, StateMachine fsm, long applied)
        throws IOException {
      SnapshotMeta installed = fsm.installedCheckpointMeta().orElse(null);
      if (installed != null && installed.index() == applied) {
        LOG.warn("the state machine is at " + applied + " but the WAL ends at " + wal.lastIndex()
            + ": completing an interrupted snapshot install " + installed);
        wal.installSnapshot(installed);
        return;
      }
      if (!config.unsafe().walNoFsync()) {
        throw new StateCorruptionException("the state machine in " + config.fsmDir() + " has applied through " + applied
            + " but the WAL in " + config.walDir() + " ends at " + wal.lastIndex()
            + ": the WAL lost entries it had acknowledged");
      }
      // UNSAFE wal-no-fsync: a store that never fsyncs has no way to notice; it carries on.
      ConfState conf = fsm.appliedConf() != null ? fsm.appliedConf() : wal.latestConfState();
      SnapshotMeta meta = new SnapshotMeta(applied, Math.max(1, fsm.appliedTerm()), conf);
      LOG.warn("UNSAFE: the WAL lost entries through " + applied + " (wal-no-fsync); continuing from " + meta);
      wal.installSnapshot(meta);
    }
  }
}
