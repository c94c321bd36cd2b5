package leasekv.raft;

/**
 * The transport lane a message travels on. The transport keeps one bounded queue (and connection)
 * per lane and peer, so a large snapshot or a long append backlog can never delay the heartbeats and
 * votes that keep leases and elections working.
 */
public enum Lane {
  /** Votes, pre-votes, heartbeats, their responses and TimeoutNow: small and latency-critical. */
  CONTROL,
  /** Appends and append responses. */
  REPLICATION,
  /** InstallSnapshot; the node streams the state-machine checkpoint on this lane first. */
  SNAPSHOT
}
