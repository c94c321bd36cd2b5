package leasekv.node;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import leasekv.fsm.SyncMode;
import leasekv.replica.StateCorruptionException;
import leasekv.replica.UnsafeModes;
import leasekv.wal.WalCorruptionException;

/** {@code bin/store}: runs one leasekv node until SIGTERM/SIGINT. */
public final class Main {
  private static final List<String> DESCRIPTION =
      List.of(
          "Runs one leasekv node: Raft with lease reads, a WAL, and a RocksDB state machine, serving the Redis protocol.",
          "Exit status: 0 clean shutdown, 2 bad configuration, 3 corrupt WAL or state, 1 any other failure.");
  private static final String FOOTER =
      String.format(
          "Unsafe modes (--unsafe, only with --test-hooks; each breaks exactly one rule of docs/rules.md):%n%s%n",
          UnsafeModes.help());

  String id;
  String peers;
  Path dataDir;
  Path walDir;
  Path fsmDir;
  String clientAddr;
  String peerAddr;
  String metricsAddr;
  String clusterId;
  long tickMillis;
  long electionTimeoutMillis;
  long heartbeatIntervalMillis;
  long leaseMillis;
  double clockDriftBound;
  long maxReadMillis;
  String readMode;
  String fsmSyncMode;
  long snapshotIntervalEntries;
  long logRetainEntries;
  int maxInflightAppends;
  long maxBatchBytes;
  long requestTimeoutMillis;
  boolean testHooks;
  String unsafe;

  private CommandLineOptions options() {
    return new CommandLineOptions()
        .required("--id", "ID", "This node's id; must be one of --peers.", v -> id = v)
        .required(
            "--peers",
            "ID=HOST:PEERPORT:CLIENTPORT,...",
            "Every member of the initial configuration, this node included.",
            v -> peers = v)
        .path(
            "--data-dir",
            "data",
            "Holds wal/ and fsm/ unless those are given (default: ${DEFAULT}).",
            v -> dataDir = v)
        .path(
            "--wal-dir", null, "The Raft WAL directory (default: <data-dir>/wal).", v -> walDir = v)
        .path(
            "--fsm-dir",
            null,
            "The RocksDB state machine directory (default: <data-dir>/fsm).",
            v -> fsmDir = v)
        .string(
            "--client-addr",
            "HOST:PORT",
            null,
            "RESP listen address (default: 0.0.0.0:<client port in --peers>).",
            v -> clientAddr = v)
        .string(
            "--peer-addr",
            "HOST:PORT",
            null,
            "Raft listen address (default: 0.0.0.0:<peer port in --peers>).",
            v -> peerAddr = v)
        .string(
            "--metrics-addr",
            "HOST:PORT",
            "0.0.0.0:9100",
            "Prometheus /metrics address (default: ${DEFAULT}).",
            v -> metricsAddr = v)
        .string(
            "--cluster-id",
            "ID",
            "leasekv",
            "Peers with another cluster id are refused (default: ${DEFAULT}).",
            v -> clusterId = v)
        .longValue("--tick-ms", "MS", "10", "Raft tick (default: ${DEFAULT}).", v -> tickMillis = v)
        .longValue(
            "--election-timeout-ms",
            "MS",
            "1000",
            "Minimum election timeout; randomized up to 2x (default: ${DEFAULT}).",
            v -> electionTimeoutMillis = v)
        .longValue(
            "--heartbeat-interval-ms",
            "MS",
            "100",
            "Leader heartbeat interval (default: ${DEFAULT}).",
            v -> heartbeatIntervalMillis = v)
        .longValue(
            "--lease-ms",
            "MS",
            "0",
            "Lease length; 0 picks the largest safe value, (election timeout - 1 tick)"
                + "(1-rho)/(1+rho) - max read time. A larger value is refused.",
            v -> leaseMillis = v)
        .doubleValue(
            "--clock-drift-bound",
            "RHO",
            "0.1",
            "rho: every clock runs at a rate within [1-rho, 1+rho] (default: ${DEFAULT}).",
            v -> clockDriftBound = v)
        .longValue(
            "--max-read-ms",
            "MS",
            "0",
            "Time a lease read may take between its lease check and its snapshot "
                + "(default: ${DEFAULT}; the check follows the snapshot, so 0 is safe).",
            v -> maxReadMillis = v)
        .string(
            "--read-mode",
            "MODE",
            "lease",
            "lease (falls back to ReadIndex when the lease is not valid) or read-index (default: ${DEFAULT}).",
            v -> readMode = v)
        .string(
            "--fsm-sync-mode",
            "MODE",
            "nosync",
            "sync: fsync every state-machine batch; nosync: the Raft WAL is "
                + "the durability boundary (default: ${DEFAULT}).",
            v -> fsmSyncMode = v)
        .longValue(
            "--snapshot-interval-entries",
            "N",
            "10000",
            "Make the state machine durable and compact the log "
                + "every this many applied entries (default: ${DEFAULT}).",
            v -> snapshotIntervalEntries = v)
        .longValue(
            "--log-retain-entries",
            "N",
            "1000",
            "Entries kept below the durable applied index when "
                + "compacting, for slow followers (default: ${DEFAULT}).",
            v -> logRetainEntries = v)
        .intValue(
            "--max-inflight-appends",
            "N",
            "64",
            "Append messages in flight per follower (default: ${DEFAULT}).",
            v -> maxInflightAppends = v)
        .longValue(
            "--max-batch-bytes",
            "BYTES",
            "1048576",
            "Bytes of entries per append message (default: ${DEFAULT}).",
            v -> maxBatchBytes = v)
        .longValue(
            "--request-timeout-ms",
            "MS",
            "5000",
            "A write not committed in this time answers TIMEOUT (default: ${DEFAULT}).",
            v -> requestTimeoutMillis = v)
        .flag(
            "--test-hooks",
            "Enable ADMIN CLOCK and ADMIN TRANSFER, and allow --unsafe.",
            () -> testHooks = true)
        .string(
            "--unsafe",
            "MODE[,MODE]",
            "",
            "Deliberately broken behaviour; see the list below.",
            v -> unsafe = v);
  }

  public static void main(String[] args) {
    quietNettyUnlessAsked();
    answerRocksDbMuslProbe();
    LogFormat.install();
    System.exit(run(args, System.err));
  }

  /**
   * Netty's diagnostics that cost a node more than they give it, off unless asked for (this must
   * run before any netty class loads):
   *
   * <ul>
   *   <li>Leak detection samples buffers and records a stack trace for each sampled one: 2.8% of a
   *       leader's CPU under lease GETs (docs/performance.md, "Profiles"). Ask with {@code
   *       -Dio.netty.leakDetection.level=simple} (or higher) when hunting a leak.
   *   <li>Its JFR events: the first buffer allocation registers them with Flight Recorder, whose
   *       start-up (~80 ms of CPU on an io thread, under the first peer handshake) delayed a new
   *       cluster's first connections. Ask with {@code -Dio.netty.jfr.enabled=true}.
   * </ul>
   */
  static void quietNettyUnlessAsked() {
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
  }

  /**
   * RocksDB chooses between its glibc and musl libraries by running {@code sh -c 'ldd /usr/bin/env
   * | grep -q musl'} (six processes at every node start) unless ROCKSDB_MUSL_LIBC is set. One
   * directory listing gives the same answer: a musl system has its loader at
   * /lib/ld-musl-ARCH.so.1. Must run before RocksDB loads; with another RocksDB version whose field
   * differs, RocksDB probes as before.
   */
  static void answerRocksDbMuslProbe() {
    if (System.getenv("ROCKSDB_MUSL_LIBC") != null) return;
    try (DirectoryStream<Path> muslLoaders =
        Files.newDirectoryStream(Path.of("/lib"), "ld-musl-*")) {
      boolean musl = muslLoaders.iterator().hasNext();
      Field answer = Class.forName("org.rocksdb.util.Environment").getDeclaredField("MUSL_LIBC");
      answer.setAccessible(true);
      answer.set(null, musl);
    } catch (IOException | ReflectiveOperationException | RuntimeException e) {
      // RocksDB runs its own probe
    }
  }

  /**
   * Parses, validates and runs; returns the exit status. Errors go to {@code err}, one clear line.
   */
  static int run(String[] args, PrintStream err) {
    Main main = new Main();
    CommandLineOptions options = main.options();
    try {
      switch (options.parse(args)) {
        case HELP -> options.usage(System.out, "store", DESCRIPTION, FOOTER);
        case VERSION -> System.out.println("leasekv store " + version());
        case RUN -> {
          return main.call();
        }
      }
      return 0;
    } catch (CommandLineOptions.UsageException e) {
      err.println("store: " + e.getMessage());
      err.println("run 'bin/store --help' for the options");
      return 2;
    } catch (ConfigException e) {
      err.println("store: " + e.getMessage());
      return 2;
    } catch (WalCorruptionException | StateCorruptionException e) {
      err.println("store: refusing to start: " + e.getMessage());
      return 3;
    } catch (Exception e) {
      err.println("store: failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  /** The jar's Implementation-Version, or "(unknown)" when not run from the built jar. */
  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v != null ? v : "(unknown)";
  }

  private int call() throws Exception {
    NodeConfig config = toConfig();
    Node node = Node.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "shutdown"));
    node.awaitTermination();
    return 0;
  }

  NodeConfig toConfig() {
    var peerMap = PeerAddress.parseList(peers);
    PeerAddress self = peerMap.get(id);
    if (self == null)
      throw new ConfigException("--id " + id + " is not one of --peers " + peerMap.keySet());
    return NodeConfig.builder()
        .id(id)
        .peers(peerMap)
        .walDir(walDir != null ? walDir : dataDir.resolve("wal"))
        .fsmDir(fsmDir != null ? fsmDir : dataDir.resolve("fsm"))
        .clientAddr(address("--client-addr", clientAddr, "0.0.0.0:" + self.clientPort()))
        .peerAddr(address("--peer-addr", peerAddr, "0.0.0.0:" + self.peerPort()))
        .metricsAddr(address("--metrics-addr", metricsAddr, null))
        .clusterId(clusterId)
        .tickMillis(tickMillis)
        .electionTimeoutMillis(electionTimeoutMillis)
        .heartbeatIntervalMillis(heartbeatIntervalMillis)
        .leaseMillis(leaseMillis)
        .clockDriftBound(clockDriftBound)
        .maxReadMillis(maxReadMillis)
        .readMode(ReadModeSetting.parse(readMode))
        .fsmSyncMode(syncMode(fsmSyncMode))
        .snapshotIntervalEntries(snapshotIntervalEntries)
        .logRetainEntries(logRetainEntries)
        .maxInflightAppends(maxInflightAppends)
        .maxBatchBytes(maxBatchBytes)
        .requestTimeoutMillis(requestTimeoutMillis)
        .testHooks(testHooks)
        .unsafe(unsafeModes(unsafe))
        .build();
  }

  private static UnsafeModes unsafeModes(String names) {
    try {
      return UnsafeModes.parse(names);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--unsafe: " + e.getMessage());
    }
  }

  private static SyncMode syncMode(String name) {
    return switch (name) {
      case "sync" -> SyncMode.SYNC;
      case "nosync" -> SyncMode.NOSYNC;
      default ->
          throw new ConfigException(
              "--fsm-sync-mode must be 'sync' or 'nosync', was '" + name + "'");
    };
  }

  static InetSocketAddress address(String option, String value, String fallback) {
    String text = value != null ? value : fallback;
    int colon = text.lastIndexOf(':');
    if (colon <= 0)
      throw new ConfigException(option + " must look like host:port, was '" + text + "'");
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 0 || port > 65535) throw new NumberFormatException();
      return new InetSocketAddress(text.substring(0, colon), port);
    } catch (NumberFormatException e) {
      throw new ConfigException(
          option + ": '" + text.substring(colon + 1) + "' is not a port (0-65535)");
    }
  }
}
