package leasekv.node;

import leasekv.raft.Message;
import leasekv.raft.MessageType;
import leasekv.raft.RaftCore;
import leasekv.transport.Lane;
import leasekv.transport.PeerTransport;

/** Loop thread: sends the core's messages, each on its lane; snapshots go to the snapshot sender. */
final class Outbound {
  private final PeerTransport transport;
  private final SnapshotSender snapshots;
  private RaftCore core;

  Outbound(PeerTransport transport, SnapshotSender snapshots) {
    this.transport = transport;
    this.snapshots = snapshots;
  }

  void attach(RaftCore raftCore) {
    this.core = raftCore;
  }

  void send(Message m) {
    if (m.type() == MessageType.INSTALL_SNAPSHOT) {
      snapshots.send(m);
      return;
    }
    boolean queued = transport.send(m.to(), lane(m.lane()), MessageCodec.encode(m));
    // A full replication queue means the follower is not keeping up or not reachable: let the core
    // fall back to probing instead of streaming appends into the void.
    if (!queued && m.type() == MessageType.APPEND) core.reportUnreachable(m.to());
  }

  static Lane lane(leasekv.raft.Lane lane) {
    return switch (lane) {
      case CONTROL -> Lane.CONTROL;
      case REPLICATION -> Lane.REPLICATION;
      case SNAPSHOT -> Lane.SNAPSHOT;
    };
  }
}
