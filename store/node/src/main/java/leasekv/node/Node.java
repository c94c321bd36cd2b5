package leasekv.node;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import leasekv.fsm.FsmOptions;
import leasekv.fsm.RocksEngine;
import leasekv.fsm.StateMachine;
import leasekv.metrics.MetricsHttpServer;
import leasekv.metrics.MetricsRegistry;
import leasekv.netty.EventLoops;
import leasekv.raft.Clock;
import leasekv.replica.Ports;
import leasekv.replica.Replica;
import leasekv.replica.StateCorruptionException;
import leasekv.server.RespServer;
import leasekv.server.RespServerConfig;
import leasekv.transport.PeerTransport;
import leasekv.transport.TransportConfig;
import leasekv.wal.Wal;
import leasekv.wal.WalOptions;

/**
 * One running leasekv node: the replica ({@code store/replica}) behind its adapters. {@link #start}
 * builds everything in one pass, top to bottom:
 *
 * <ol>
 *   <li>lock the data directories, before anything in them is read, repaired or deleted;
 *   <li>open the WAL and the state machine (their own recovery);
 *   <li>build the adapters: the replica's inbox, the peer transport, the snapshot streams, the
 *       apply thread; then the replica itself, which checks that log and state machine fit
 *       together;
 *   <li>build the RESP service and the metrics over the replica;
 *   <li>bind every port (a taken port stops the start here, before the replica has run);
 *   <li>start the replica's thread, and return once the committed log is replayed.
 * </ol>
 *
 * Clients get {@code NOTREADY} until the replay is done.
 */
public final class Node implements AutoCloseable {
  private static final Logger LOG = System.getLogger("leasekv.node");

  private final NodeConfig config;
  private final Replica replica;
  private final RespServer server;

  /** Everything to close, the last opened first. */
  private final Deque<AutoCloseable> resources;

  private final CountDownLatch terminated = new CountDownLatch(1);
  private boolean closed;

  private Node(
      NodeConfig config, Replica replica, RespServer server, Deque<AutoCloseable> resources) {
    this.config = config;
    this.replica = replica;
    this.server = server;
    this.resources = resources;
  }

  /** Starts a node and returns once it serves clients (the log is replayed). */
  public static Node start(NodeConfig config) throws Exception {
    return start(config, Clock.SYSTEM, new SecureRandom());
  }

  static Node start(NodeConfig config, Clock source, Random random) throws Exception {
    LOG.log(
        Level.INFO,
        "starting "
            + config.id()
            + " peers="
            + config.peers().values()
            + " read-mode="
            + config.readMode().cliName()
            + " fsm-sync-mode="
            + config.fsmSyncMode().name().toLowerCase()
            + (config.unsafe().any() ? " UNSAFE=" + config.unsafe().names() : ""));
    Deque<AutoCloseable> opened = new ArrayDeque<>();
    try {
      opened.push(DataDirLock.acquire("--wal-dir", config.walDir()));
      opened.push(DataDirLock.acquire("--fsm-dir", config.fsmDir()));
      AdjustableClock clock = new AdjustableClock(source);
      MetricsRegistry registry = new MetricsRegistry();
      NodeMetrics metrics = new NodeMetrics(registry, config.fsmSyncMode());

      Wal wal =
          push(
              opened,
              Wal.open(
                  WalOptions.defaults(config.walDir())
                      .withNoFsync(
                          config.unsafe().has(leasekv.replica.UnsafeModes.Mode.WAL_NO_FSYNC))
                      .withUnsafeKeepTornTail(
                          config
                              .unsafe()
                              .has(leasekv.replica.UnsafeModes.Mode.APPEND_AFTER_TORN_TAIL))
                      .withMetrics(metrics.walMetrics())));
      LOG.log(Level.INFO, "wal: " + wal.recoveryReport());
      StateMachine fsm =
          push(
              opened,
              StateMachine.open(
                  new FsmOptions(
                      config.fsmDir(), config.fsmSyncMode(), config.unsafe().fsmModes(), false)));

      EventLoops loops = push(opened, EventLoops.forTwoCores());
      ReplicaInbox inbox = new ReplicaInbox();
      CrashPoints crashPoints = new CrashPoints();
      SnapshotAssembler assembler = new SnapshotAssembler((RocksEngine) fsm.engine(), inbox);
      PeerTransport transport =
          push(
              opened,
              new PeerTransport(
                  transportConfig(config), loops, registry, new InboundFrames(inbox, assembler)));
      SnapshotStreamer streamer = push(opened, new SnapshotStreamer(transport));
      ApplyThread applyThread = push(opened, new ApplyThread());
      Replica replica =
          recover(
              config,
              new WalLogStore(wal, crashPoints),
              fsm,
              new PeerLinks(transport, streamer),
              applyThread,
              inbox,
              clock,
              random,
              metrics);
      LOG.log(
          Level.INFO,
          "recovered: applied="
              + fsm.appliedIndex()
              + " commit="
              + wal.hardState().commit()
              + " log=["
              + wal.firstIndex()
              + ".."
              + wal.lastIndex()
              + "] term="
              + wal.hardState().term()
              + " lease="
              + replica.leaseNanos() / 1_000_000.0
              + "ms");

      NodeInfo info = new NodeInfo(config, clock, wal, fsm, replica);
      NodeService service =
          new NodeService(config, clock, replica, inbox, transport, applyThread, crashPoints, info);
      RespServer server =
          push(
              opened,
              new RespServer(RespServerConfig.defaults(config.clientAddr()), service, loops));
      MetricsHttpServer metricsServer =
          push(opened, new MetricsHttpServer(registry, config.metricsAddr(), loops));
      registry.callbackGauge("leasekv_applied_index", "Applied index", replica::appliedIndex);
      registry.callbackGauge(
          "leasekv_durable_applied_index", "Durable applied index", fsm::durableAppliedIndex);

      bind("--client-addr", config.clientAddr(), server::start);
      bind("--metrics-addr", config.metricsAddr(), metricsServer::start);
      bind("--peer-addr", config.peerAddr(), transport::start);
      RaftLoop loop = new RaftLoop(inbox, replica, clock).start();
      opened.push(loop::stop);

      Node node = new Node(config, replica, server, opened);
      node.awaitServing();
      LOG.log(
          Level.INFO,
          "serving clients on "
              + server.boundAddress()
              + " (replayed through "
              + replica.appliedIndex()
              + ")");
      return node;
    } catch (Exception | Error e) {
      closeAll(opened);
      throw e;
    }
  }

  private static <T extends AutoCloseable> T push(Deque<AutoCloseable> opened, T resource) {
    opened.push(resource);
    return resource;
  }

  private static Replica recover(
      NodeConfig config,
      WalLogStore log,
      StateMachine fsm,
      PeerLinks links,
      ApplyThread lane,
      ReplicaInbox inbox,
      AdjustableClock clock,
      Random random,
      NodeMetrics metrics)
      throws IOException {
    try {
      return Replica.recover(
          config.replicaConfig(),
          new Ports(log, fsm, links, lane, inbox.asPort(), clock, Clock.SYSTEM, random, metrics));
    } catch (StateCorruptionException e) {
      throw new StateCorruptionException(
          e.getMessage()
              + " (WAL in "
              + config.walDir()
              + ", state machine in "
              + config.fsmDir()
              + ")");
    }
  }

  private interface Binding {
    Object bind() throws InterruptedException;
  }

  /**
   * Binds one listener; an address that cannot be bound (taken, not local, privileged) is a
   * configuration error naming the option (exit 2). Netty's native transport reports it as an
   * IOException of its own rather than a BindException.
   */
  private static void bind(String option, InetSocketAddress address, Binding binding)
      throws InterruptedException {
    try {
      binding.bind();
    } catch (Exception e) {
      if (!(e instanceof IOException)) throw e;
      String why =
          e.getMessage() == null
              ? e.toString()
              : e.getMessage()
                  .replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
      throw new ConfigException(
          option
              + " "
              + address.getHostString()
              + ":"
              + address.getPort()
              + " cannot be bound: "
              + why);
    }
  }

  private static TransportConfig transportConfig(NodeConfig config) {
    Map<String, InetSocketAddress> others = new LinkedHashMap<>();
    config
        .peers()
        .forEach(
            (id, p) -> {
              if (!id.equals(config.id())) others.put(id, p.peerSocket());
            });
    return TransportConfig.defaults(config.clusterId(), config.id(), config.peerAddr(), others);
  }

  /** Waits until the replica has applied everything the log says is committed. */
  private void awaitServing() throws InterruptedException {
    long lastLog = System.nanoTime();
    while (!replica.serving()) {
      Thread.sleep(5);
      if (System.nanoTime() - lastLog > 2_000_000_000L) {
        LOG.log(
            Level.INFO,
            "replaying: applied " + replica.appliedIndex() + " of " + replica.replayTarget());
        lastLog = System.nanoTime();
      }
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
    LOG.log(Level.INFO, "stopping " + config.id());
    closeAll(resources);
    terminated.countDown();
    LOG.log(Level.INFO, "stopped " + config.id());
  }

  private static void closeAll(Deque<AutoCloseable> resources) {
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        LOG.log(Level.ERROR, "closing failed", e);
      }
    }
  }
}
