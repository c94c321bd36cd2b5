package leasekv.node;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import leasekv.fsm.SyncMode;
import leasekv.wal.WalCorruptionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/store}: runs one leasekv node until SIGTERM/SIGINT. */
@Command(name = "store", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 110,
    description = {
        "Runs one leasekv node: Raft with lease reads, a WAL, and a RocksDB state machine, serving the Redis protocol.",
        "Exit status: 0 clean shutdown, 2 bad configuration, 3 corrupt WAL or state, 1 any other failure."},
    footerHeading = "%nUnsafe modes (--unsafe, only with --test-hooks; each breaks exactly one safety rule):%n",
    footer = UnsafeModes.HELP)
public final class Main implements Callable<Integer> {
  @Option(names = "--id", required = true, description = "This node's id; must be one of --peers.")
  String id;

  @Option(names = "--peers", required = true, paramLabel = "ID=HOST:PEERPORT:CLIENTPORT,...",
      description = "Every member of the initial configuration, this node included.")
  String peers;

  @Option(names = "--data-dir", defaultValue = "data", description = "Holds wal/ and fsm/ unless those are given (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--wal-dir", description = "The Raft WAL directory (default: <data-dir>/wal).")
  Path walDir;

  @Option(names = "--fsm-dir", description = "The RocksDB state machine directory (default: <data-dir>/fsm).")
  Path fsmDir;

  @Option(names = "--client-addr", description = "RESP listen address (default: 0.0.0.0:<client port in --peers>).")
  String clientAddr;

  @Option(names = "--peer-addr", description = "Raft listen address (default: 0.0.0.0:<peer port in --peers>).")
  String peerAddr;

  @Option(names = "--metrics-addr", defaultValue = "0.0.0.0:9100", description = "Prometheus /metrics address (default: ${DEFAULT-VALUE}).")
  String metricsAddr;

  @Option(names = "--cluster-id", defaultValue = "leasekv", description = "Peers with another cluster id are refused (default: ${DEFAULT-VALUE}).")
  String clusterId;

  @Option(names = "--tick-ms", defaultValue = "10", description = "Raft tick (default: ${DEFAULT-VALUE}).")
  long tickMillis;

  @Option(names = "--election-timeout-ms", defaultValue = "1000", description = "Minimum election timeout; randomized up to 2x (default: ${DEFAULT-VALUE}).")
  long electionTimeoutMillis;

  @Option(names = "--heartbeat-interval-ms", defaultValue = "100", description = "Leader heartbeat interval (default: ${DEFAULT-VALUE}).")
  long heartbeatIntervalMillis;

  @Option(names = "--lease-ms", defaultValue = "0",
      description = "Lease length; 0 picks the largest safe value, (election timeout - 1 tick)(1-rho)/(1+rho) - max read time. A larger value is refused.")
  long leaseMillis;

  @Option(names = "--clock-drift-bound", defaultValue = "0.1", description = "rho: every clock runs at a rate within [1-rho, 1+rho] (default: ${DEFAULT-VALUE}).")
  double clockDriftBound;

  @Option(names = "--max-read-ms", defaultValue = "0", description = "Time a lease read may take between its lease check and its snapshot (default: ${DEFAULT-VALUE}; the check follows the snapshot, so 0 is safe).")
  long maxReadMillis;

  @Option(names = "--read-mode", defaultValue = "lease", description = "lease (falls back to ReadIndex when the lease is not valid) or read-index (default: ${DEFAULT-VALUE}).")
  String readMode;

  @Option(names = "--fsm-sync-mode", defaultValue = "nosync", description = "sync: fsync every state-machine batch; nosync: the Raft WAL is the durability boundary (default: ${DEFAULT-VALUE}).")
  String fsmSyncMode;

  @Option(names = "--snapshot-interval-entries", defaultValue = "10000", description = "Make the state machine durable and compact the log every this many applied entries (default: ${DEFAULT-VALUE}).")
  long snapshotIntervalEntries;

  @Option(names = "--log-retain-entries", defaultValue = "1000", description = "Entries kept below the durable applied index when compacting, for slow followers (default: ${DEFAULT-VALUE}).")
  long logRetainEntries;

  @Option(names = "--max-inflight-appends", defaultValue = "64", description = "Append messages in flight per follower (default: ${DEFAULT-VALUE}).")
  int maxInflightAppends;

  @Option(names = "--max-batch-bytes", defaultValue = "1048576", description = "Bytes of entries per append message (default: ${DEFAULT-VALUE}).")
  long maxBatchBytes;

  @Option(names = "--request-timeout-ms", defaultValue = "5000", description = "A write not committed in this time answers TIMEOUT (default: ${DEFAULT-VALUE}).")
  long requestTimeoutMillis;

  @Option(names = "--test-hooks", description = "Enable ADMIN CLOCK and ADMIN TRANSFER, and allow --unsafe.")
  boolean testHooks;

  @Option(names = "--unsafe", paramLabel = "MODE[,MODE]", defaultValue = "", description = "Deliberately broken behaviour; see the list below.")
  String unsafe;

  public static void main(String[] args) {
    disableNettyLeakDetectionUnlessAsked();
    Log.installJulBridge();
    System.exit(run(args, System.err));
  }

  /**
   * Netty samples buffers for leak reports by default, recording a stack trace for each sampled
   * one: 2.8% of a leader's CPU under lease GETs (docs/performance.md, "Profiles"). Off unless
   * asked for with {@code -Dio.netty.leakDetection.level=simple} (or higher) when hunting a leak.
   * Must run before any netty class loads.
   */
  static void disableNettyLeakDetectionUnlessAsked() {
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
  }

  /** Parses, validates and runs; returns the exit status. Errors go to {@code err}, one clear line. */
  static int run(String[] args, PrintStream err) {
    CommandLine cli = new CommandLine(new Main());
    cli.setErr(new PrintWriter(err, true));
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof ConfigException) {
        err.println("store: " + e.getMessage());
        return 2;
      }
      if (e instanceof WalCorruptionException || e instanceof StateCorruptionException) {
        err.println("store: refusing to start: " + e.getMessage());
        return 3;
      }
      err.println("store: failed: " + e);
      e.printStackTrace(err);
      return 1;
    });
    cli.setParameterExceptionHandler((e, a) -> {
      err.println("store: " + e.getMessage());
      err.println("run 'bin/store --help' for the options");
      return 2;
    });
    return cli.execute(args);
  }

  @Override
  public Integer call() throws Exception {
    NodeConfig config = toConfig();
    Node node = Node.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "shutdown"));
    node.awaitTermination();
    return 0;
  }

  NodeConfig toConfig() {
    var peerMap = PeerAddress.parseList(peers);
    PeerAddress self = peerMap.get(id);
    if (self == null) throw new ConfigException("--id " + id + " is not one of --peers " + peerMap.keySet());
    return NodeConfig.builder().id(id).peers(peerMap)
        .walDir(walDir != null ? walDir : dataDir.resolve("wal"))
        .fsmDir(fsmDir != null ? fsmDir : dataDir.resolve("fsm"))
        .clientAddr(address("--client-addr", clientAddr, "0.0.0.0:" + self.clientPort()))
        .peerAddr(address("--peer-addr", peerAddr, "0.0.0.0:" + self.peerPort()))
        .metricsAddr(address("--metrics-addr", metricsAddr, null))
        .clusterId(clusterId).tickMillis(tickMillis).electionTimeoutMillis(electionTimeoutMillis)
        .heartbeatIntervalMillis(heartbeatIntervalMillis).leaseMillis(leaseMillis).clockDriftBound(clockDriftBound)
        .maxReadMillis(maxReadMillis).readMode(ReadModeSetting.parse(readMode)).fsmSyncMode(syncMode(fsmSyncMode))
        .snapshotIntervalEntries(snapshotIntervalEntries).logRetainEntries(logRetainEntries)
        .maxInflightAppends(maxInflightAppends).maxBatchBytes(maxBatchBytes).requestTimeoutMillis(requestTimeoutMillis)
        .testHooks(testHooks).unsafe(UnsafeModes.parse(unsafe))
        .build();
  }

  private static SyncMode syncMode(String name) {
    return switch (name) {
      case "sync" -> SyncMode.SYNC;
      case "nosync" -> SyncMode.NOSYNC;
      default -> throw new ConfigException("--fsm-sync-mode must be 'sync' or 'nosync', was '" + name + "'");
    };
  }

  static InetSocketAddress address(String option, String value, String fallback) {
    String text = value != null ? value : fallback;
    int colon = text.lastIndexOf(':');
    if (colon <= 0) throw new ConfigException(option + " must look like host:port, was '" + text + "'");
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 0 || port > 65535) throw new NumberFormatException();
      return new InetSocketAddress(text.substring(0, colon), port);
    } catch (NumberFormatException e) {
      throw new ConfigException(option + ": '" + text.substring(colon + 1) + "' is not a port (0-65535)");
    }
  }
}
