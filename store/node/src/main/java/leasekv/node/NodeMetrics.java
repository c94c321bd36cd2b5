package leasekv.node;

import leasekv.fsm.SyncMode;
import leasekv.metrics.Counter;
import leasekv.metrics.Gauge;
import leasekv.metrics.MetricsRegistry;
import leasekv.metrics.Summary;
import leasekv.raft.LeaseState;
import leasekv.raft.Role;
import leasekv.replica.ReplicaMetrics;
import leasekv.wal.WalMetrics;

/** The node's Prometheus metrics (names fixed in docs/contracts.md). */
final class NodeMetrics implements ReplicaMetrics {
  final MetricsRegistry registry;
  private final Counter leaseHits;
  private final Counter leaseMisses;
  private final Counter readIndexRounds;
  private final Counter leaderChanges;
  private final Counter walFsyncs;
  private final Summary walFsyncLatency;
  private final Summary applyLatency;
  private final Counter appliedEntries;
  private final Counter proposalsTimedOut;
  private final Gauge term;
  private final Gauge isLeader;
  private final Gauge commitIndex;

  NodeMetrics(MetricsRegistry registry, SyncMode syncMode) {
    this.registry = registry;
    var leaseReads =
        registry.labelledCounter(
            "leasekv_lease_reads_total", "Reads that tried the lease, by outcome", "outcome");
    leaseHits = leaseReads.labels("hit");
    leaseMisses = leaseReads.labels("miss");
    readIndexRounds =
        registry.counter("leasekv_read_index_rounds_total", "ReadIndex round trips started");
    leaderChanges =
        registry.counter("leasekv_leader_changes_total", "Times this node saw the leader change");
    walFsyncs = registry.counter("leasekv_wal_fsyncs_total", "WAL fsyncs");
    walFsyncLatency = registry.summary("leasekv_wal_fsync_seconds", "WAL fsync latency");
    applyLatency =
        registry.summary("leasekv_apply_batch_seconds", "State-machine apply latency per batch");
    appliedEntries =
        registry.counter("leasekv_applied_entries_total", "Entries applied to the state machine");
    proposalsTimedOut =
        registry.counter("leasekv_proposals_timed_out_total", "Writes answered TIMEOUT");
    term = registry.gauge("leasekv_term", "Current Raft term");
    isLeader = registry.gauge("leasekv_is_leader", "1 if this node is leader");
    commitIndex = registry.gauge("leasekv_commit_index", "Commit index");
    var mode =
        registry.labelledGauge(
            "leasekv_fsm_sync_mode", "State-machine sync mode (1 = active)", "mode");
    mode.labels("sync").set(syncMode == SyncMode.SYNC ? 1 : 0);
    mode.labels("nosync").set(syncMode == SyncMode.NOSYNC ? 1 : 0);
  }

  WalMetrics walMetrics() {
    return (kind, nanos) -> {
      walFsyncs.inc();
      walFsyncLatency.recordNanos(nanos);
    };
  }

  @Override
  public void leaseRead(boolean hit) {
    (hit ? leaseHits : leaseMisses).inc();
  }

  @Override
  public void readIndexRound() {
    readIndexRounds.inc();
  }

  @Override
  public void leaderChanged() {
    leaderChanges.inc();
  }

  @Override
  public void proposalsTimedOut(int count) {
    proposalsTimedOut.add(count);
  }

  @Override
  public void applyBatch(int entries, long nanos) {
    appliedEntries.add(entries);
    applyLatency.recordNanos(nanos);
  }

  @Override
  public void published(LeaseState state) {
    term.set(state.term());
    isLeader.set(state.role() == Role.LEADER ? 1 : 0);
    commitIndex.set(state.commitIndex());
  }
}
