package leasekv.node;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import leasekv.fsm.SyncMode;
import leasekv.raft.RaftConfig;

/**
 * Everything a node is started with, validated: {@link #validate()} throws a {@link ConfigException}
 * naming the first option that is wrong.
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
    if (!peers.containsKey(id)) throw new ConfigException("--id " + id + " is not one of --peers " + peers.keySet());
    positive("--tick-ms", tickMillis);
    positive("--heartbeat-interval-ms", heartbeatIntervalMillis);
    positive("--snapshot-interval-entries", snapshotIntervalEntries);
    positive("--max-inflight-appends", maxInflightAppends);
    positive("--max-batch-bytes", maxBatchBytes);
    positive("--request-timeout-ms", requestTimeoutMillis);
    if (logRetainEntries < 0) throw new ConfigException("--log-retain-entries must not be negative, was " + logRetainEntries);
    if (maxReadMillis < 0) throw new ConfigException("--max-read-ms must not be negative, was " + maxReadMillis);
    if (leaseMillis < 0) throw new ConfigException("--lease-ms must be positive, was " + leaseMillis);
    if (electionTimeoutMillis < 2 * tickMillis || electionTimeoutMillis % tickMillis != 0) {
      throw new ConfigException("--election-timeout-ms must be a multiple of --tick-ms (" + tickMillis
          + ") and at least two ticks, was " + electionTimeoutMillis);
    }
    if (heartbeatIntervalMillis % tickMillis != 0 || heartbeatIntervalMillis >= electionTimeoutMillis) {
      throw new ConfigException("--heartbeat-interval-ms must be a multiple of --tick-ms (" + tickMillis
          + ") and below --election-timeout-ms (" + electionTimeoutMillis + "), was " + heartbeatIntervalMillis);
    }
    if (!(clockDriftBound >= 0 && clockDriftBound < 1)) {
      throw new ConfigException("--clock-drift-bound must be in [0, 1), was " + clockDriftBound);
    }
    if (unsafe.any() && !testHooks) {
      throw new ConfigException("--unsafe " + unsafe.names() + " needs --test-hooks: unsafe modes are for tests only");
    }
    if (walDir.normalize().equals(fsmDir.normalize())) {
      throw new ConfigException("--wal-dir and --fsm-dir must differ, both are " + walDir);
    }
    raftConfig(0); // the core validates the lease against the timeouts; its message names the values
    return this;
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
          .unsafeModes(unsafe.core())
          .build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--lease-ms/--election-timeout-ms/--tick-ms/--clock-drift-bound/--max-read-ms: "
          + e.getMessage());
    }
  }

  public PeerAddress self() {
    return peers.get(id);
  }

  private static void positive(String option, long value) {
    if (value <= 0) throw new ConfigException(option + " must be positive, was " + value);
  }
}
