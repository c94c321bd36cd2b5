package leasekv.node;

import leasekv.fsm.StateMachine;
import leasekv.raft.LeaseState;
import leasekv.raft.Status;
import leasekv.replica.Replica;
import leasekv.wal.Wal;

/** Renders {@code INFO}: Redis-style {@code # Section} headers and {@code key:value} lines. */
final class NodeInfo {
  private final NodeConfig config;
  private final AdjustableClock clock;
  private final Wal wal;
  private final StateMachine fsm;
  private final Replica replica;
  private final long startedNanos = System.nanoTime();

  NodeInfo(NodeConfig config, AdjustableClock clock, Wal wal, StateMachine fsm, Replica replica) {
    this.config = config;
    this.clock = clock;
    this.wal = wal;
    this.fsm = fsm;
    this.replica = replica;
  }

  String render(String section, boolean serving) {
    String wanted = section == null ? "all" : section.toLowerCase();
    StringBuilder out = new StringBuilder();
    Status s = replica.status();
    LeaseState lease = replica.leaseState();
    if (wants(wanted, "server")) {
      header(out, "Server");
      line(out, "node_id", config.id());
      line(out, "cluster_id", config.clusterId());
      line(out, "uptime_in_seconds", (System.nanoTime() - startedNanos) / 1_000_000_000L);
      line(out, "serving", serving ? 1 : 0);
      line(out, "test_hooks", config.testHooks() ? 1 : 0);
      line(out, "unsafe_modes", config.unsafe().names());
    }
    if (wants(wanted, "raft")) {
      header(out, "Raft");
      line(out, "role", s.role().name().toLowerCase().replace('_', '-'));
      line(out, "term", s.term());
      line(out, "leader", s.leaderId() == null ? "" : s.leaderId());
      line(out, "voters", String.join(",", s.voters()));
      line(out, "commit_index", s.commitIndex());
      line(out, "applied_index", replica.appliedIndex());
      line(out, "durable_applied_index", fsm.durableAppliedIndex());
      line(out, "first_index", s.firstIndex());
      line(out, "last_index", s.lastIndex());
      line(out, "transfer_target", s.transferTarget() == null ? "" : s.transferTarget());
    }
    if (wants(wanted, "lease")) {
      header(out, "Lease");
      line(out, "read_mode", config.readMode().cliName());
      line(out, "lease_ms", replica.leaseNanos() / 1_000_000.0);
      line(out, "lease_remaining_ms", lease.remainingLeaseNanos(clock.nanoTime()) / 1_000_000.0);
      line(out, "committed_in_own_term", lease.committedInOwnTerm() ? 1 : 0);
      line(out, "clock_rate", clock.rate());
      line(out, "clock_stepped_ms", clock.steppedNanos() / 1_000_000);
    }
    if (wants(wanted, "persistence")) {
      header(out, "Persistence");
      line(out, "fsm_sync_mode", config.fsmSyncMode().name().toLowerCase());
      line(out, "wal_dir", config.walDir());
      line(out, "fsm_dir", config.fsmDir());
      line(out, "wal_segments", wal.segmentCount());
    }
    return out.toString();
  }

  private static boolean wants(String wanted, String section) {
    return wanted.equals("all")
        || wanted.equals("everything")
        || wanted.equals("default")
        || wanted.equals(section);
  }

  private static void header(StringBuilder out, String name) {
    if (out.length() > 0) out.append("\r\n");
    out.append("# ").append(name).append("\r\n");
  }

  private static void line(StringBuilder out, String key, Object value) {
    out.append(key).append(':').append(value).append("\r\n");
  }
}
