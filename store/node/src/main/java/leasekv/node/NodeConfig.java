package leasekv.node;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import leasekv.fsm.SyncMode;
import leasekv.raft.RaftConfig;
import leasekv.replica.ReadPolicy;
import leasekv.replica.ReplicaConfig;
import leasekv.replica.UnsafeModes;

/**
 * Everything a node is started with, validated: {@link #validate()} throws a {@link
 * ConfigException} naming the first option that is wrong.
 */
public record NodeConfig(
    String id,
    Map<String, PeerAddress> peers,
    Path walDir,
    Path fsmDir,
    InetSocketAddress clientAddr,
    InetSocketAddress peerAddr,
    InetSocketAddress metricsAddr,
    String clusterId,
    long tickMillis,
    long electionTimeoutMillis,
    long heartbeatIntervalMillis,
    long leaseMillis,
    double clockDriftBound,
    long maxReadMillis,
    ReadModeSetting readMode,
    SyncMode fsmSyncMode,
    long snapshotIntervalEntries,
    long logRetainEntries,
    int maxInflightAppends,
    long maxBatchBytes,
    long requestTimeoutMillis,
    boolean testHooks,
    UnsafeModes unsafe) {

  public NodeConfig validate() {
    if (!peers.containsKey(id))
      throw new ConfigException("--id " + id + " is not one of --peers " + peers.keySet());
    positive("--tick-ms", tickMillis);
    positive("--heartbeat-interval-ms", heartbeatIntervalMillis);
    positive("--snapshot-interval-entries", snapshotIntervalEntries);
    positive("--max-inflight-appends", maxInflightAppends);
    positive("--max-batch-bytes", maxBatchBytes);
    positive("--request-timeout-ms", requestTimeoutMillis);
    if (logRetainEntries < 0)
      throw new ConfigException(
          "--log-retain-entries must not be negative, was " + logRetainEntries);
    if (maxReadMillis < 0)
      throw new ConfigException("--max-read-ms must not be negative, was " + maxReadMillis);
    if (leaseMillis < 0)
      throw new ConfigException("--lease-ms must be positive, was " + leaseMillis);
    if (electionTimeoutMillis < 2 * tickMillis || electionTimeoutMillis % tickMillis != 0) {
      throw new ConfigException(
          "--election-timeout-ms must be a multiple of --tick-ms ("
              + tickMillis
              + ") and at least two ticks, was "
              + electionTimeoutMillis);
    }
    if (heartbeatIntervalMillis % tickMillis != 0
        || heartbeatIntervalMillis >= electionTimeoutMillis) {
      throw new ConfigException(
          "--heartbeat-interval-ms must be a multiple of --tick-ms ("
              + tickMillis
              + ") and below --election-timeout-ms ("
              + electionTimeoutMillis
              + "), was "
              + heartbeatIntervalMillis);
    }
    if (!(clockDriftBound >= 0 && clockDriftBound < 1)) {
      throw new ConfigException("--clock-drift-bound must be in [0, 1), was " + clockDriftBound);
    }
    if (unsafe.any() && !testHooks) {
      throw new ConfigException(
          "--unsafe " + unsafe.names() + " needs --test-hooks: unsafe modes are for tests only");
    }
    if (walDir.normalize().equals(fsmDir.normalize())) {
      throw new ConfigException("--wal-dir and --fsm-dir must differ, both are " + walDir);
    }
    raftConfig(
        0); // the core validates the lease against the timeouts; its message names the values
    return this;
  }

  /** The replica's configuration (the applied index comes from the state machine at start). */
  public ReplicaConfig replicaConfig() {
    ReadPolicy policy =
        readMode == ReadModeSetting.READ_INDEX ? ReadPolicy.READ_INDEX : ReadPolicy.LEASE;
    return new ReplicaConfig(
        raftConfig(0),
        policy,
        requestTimeoutMillis * 1_000_000,
        snapshotIntervalEntries,
        logRetainEntries,
        unsafe);
  }

  /** The core's configuration, starting from the state machine's recovered applied index. */
  public RaftConfig raftConfig(long appliedIndex) {
    try {
      return RaftConfig.builder(id)
          .tickNanos(tickMillis * 1_000_000)
          .electionTimeoutTicks((int) (electionTimeoutMillis / tickMillis))
          .heartbeatIntervalTicks((int) (heartbeatIntervalMillis / tickMillis))
          .clockDriftBound(clockDriftBound)
          .maxReadNanos(maxReadMillis * 1_000_000)
          .leaseNanos(leaseMillis * 1_000_000)
          .maxInflightAppends(maxInflightAppends)
          .maxBatchBytes(maxBatchBytes)
          .initialVoters(new ArrayList<>(peers.keySet()))
          .appliedIndex(appliedIndex)
          .unsafeModes(unsafe.coreModes())
          .build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "--lease-ms/--election-timeout-ms/--tick-ms/--clock-drift-bound/--max-read-ms: "
              + e.getMessage());
    }
  }

  public PeerAddress self() {
    return peers.get(id);
  }

  private static void positive(String option, long value) {
    if (value <= 0) throw new ConfigException(option + " must be positive, was " + value);
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.peers = peers;
    b.walDir = walDir;
    b.fsmDir = fsmDir;
    b.clientAddr = clientAddr;
    b.peerAddr = peerAddr;
    b.metricsAddr = metricsAddr;
    b.clusterId = clusterId;
    b.tickMillis = tickMillis;
    b.electionTimeoutMillis = electionTimeoutMillis;
    b.heartbeatIntervalMillis = heartbeatIntervalMillis;
    b.leaseMillis = leaseMillis;
    b.clockDriftBound = clockDriftBound;
    b.maxReadMillis = maxReadMillis;
    b.readMode = readMode;
    b.fsmSyncMode = fsmSyncMode;
    b.snapshotIntervalEntries = snapshotIntervalEntries;
    b.logRetainEntries = logRetainEntries;
    b.maxInflightAppends = maxInflightAppends;
    b.maxBatchBytes = maxBatchBytes;
    b.requestTimeoutMillis = requestTimeoutMillis;
    b.testHooks = testHooks;
    b.unsafe = unsafe;
    return b;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a config; the defaults are the store's (see {@code bin/store --help}). */
  public static final class Builder {
    private String id;
    private Map<String, PeerAddress> peers;
    private Path walDir;
    private Path fsmDir;
    private InetSocketAddress clientAddr;
    private InetSocketAddress peerAddr;
    private InetSocketAddress metricsAddr;
    private String clusterId = "leasekv";
    private long tickMillis = 10;
    private long electionTimeoutMillis = 1000;
    private long heartbeatIntervalMillis = 100;
    private long leaseMillis = 0;
    private double clockDriftBound = 0.1;
    private long maxReadMillis = 0;
    private ReadModeSetting readMode = ReadModeSetting.LEASE;
    private SyncMode fsmSyncMode = SyncMode.NOSYNC;
    private long snapshotIntervalEntries = 10_000;
    private long logRetainEntries = 1000;
    private int maxInflightAppends = 64;
    private long maxBatchBytes = 1 << 20;
    private long requestTimeoutMillis = 5_000;
    private boolean testHooks = false;
    private UnsafeModes unsafe = UnsafeModes.NONE;

    public Builder id(String v) {
      id = v;
      return this;
    }

    public Builder peers(Map<String, PeerAddress> v) {
      peers = v;
      return this;
    }

    public Builder walDir(Path v) {
      walDir = v;
      return this;
    }

    public Builder fsmDir(Path v) {
      fsmDir = v;
      return this;
    }

    public Builder clientAddr(InetSocketAddress v) {
      clientAddr = v;
      return this;
    }

    public Builder peerAddr(InetSocketAddress v) {
      peerAddr = v;
      return this;
    }

    public Builder metricsAddr(InetSocketAddress v) {
      metricsAddr = v;
      return this;
    }

    public Builder clusterId(String v) {
      clusterId = v;
      return this;
    }

    public Builder tickMillis(long v) {
      tickMillis = v;
      return this;
    }

    public Builder electionTimeoutMillis(long v) {
      electionTimeoutMillis = v;
      return this;
    }

    public Builder heartbeatIntervalMillis(long v) {
      heartbeatIntervalMillis = v;
      return this;
    }

    public Builder leaseMillis(long v) {
      leaseMillis = v;
      return this;
    }

    public Builder clockDriftBound(double v) {
      clockDriftBound = v;
      return this;
    }

    public Builder maxReadMillis(long v) {
      maxReadMillis = v;
      return this;
    }

    public Builder readMode(ReadModeSetting v) {
      readMode = v;
      return this;
    }

    public Builder fsmSyncMode(SyncMode v) {
      fsmSyncMode = v;
      return this;
    }

    public Builder snapshotIntervalEntries(long v) {
      snapshotIntervalEntries = v;
      return this;
    }

    public Builder logRetainEntries(long v) {
      logRetainEntries = v;
      return this;
    }

    public Builder maxInflightAppends(int v) {
      maxInflightAppends = v;
      return this;
    }

    public Builder maxBatchBytes(long v) {
      maxBatchBytes = v;
      return this;
    }

    public Builder requestTimeoutMillis(long v) {
      requestTimeoutMillis = v;
      return this;
    }

    public Builder testHooks(boolean v) {
      testHooks = v;
      return this;
    }

    public Builder unsafe(UnsafeModes v) {
      unsafe = v;
      return this;
    }

    /** Builds and validates. */
    public NodeConfig build() {
      return new NodeConfig(
              id,
              peers,
              walDir,
              fsmDir,
              clientAddr,
              peerAddr,
              metricsAddr,
              clusterId,
              tickMillis,
              electionTimeoutMillis,
              heartbeatIntervalMillis,
              leaseMillis,
              clockDriftBound,
              maxReadMillis,
              readMode,
              fsmSyncMode,
              snapshotIntervalEntries,
              logRetainEntries,
              maxInflightAppends,
              maxBatchBytes,
              requestTimeoutMillis,
              testHooks,
              unsafe)
          .validate();
    }
  }
}
