package leasekv.node;

import java.util.function.Consumer;
import leasekv.fsm.Checkpoint;
import leasekv.fsm.DirectoryCheckpoint;
import leasekv.raft.Message;
import leasekv.replica.Transport;
import leasekv.transport.Lane;
import leasekv.transport.PeerTransport;

/**
 * The replica's {@link Transport} port over the peer transport: each message on its lane, snapshots
 * streamed.
 */
final class PeerLinks implements Transport {
  private final PeerTransport transport;
  private final SnapshotStreamer snapshots;

  PeerLinks(PeerTransport transport, SnapshotStreamer snapshots) {
    this.transport = transport;
    this.snapshots = snapshots;
  }

  @Override
  public boolean send(Message m) {
    return transport.send(m.to(), lane(m.lane()), MessageCodec.encode(m));
  }

  @Override
  public boolean isConnected(String peer) {
    return transport.isConnected(peer, Lane.CONTROL);
  }

  @Override
  public void sendSnapshot(Message install, Checkpoint checkpoint, Consumer<Boolean> done) {
    snapshots.send(install, (DirectoryCheckpoint) checkpoint, done);
  }

  static Lane lane(leasekv.raft.Lane lane) {
    return switch (lane) {
      case CONTROL -> Lane.CONTROL;
      case REPLICATION -> Lane.REPLICATION;
      case SNAPSHOT -> Lane.SNAPSHOT;
    };
  }
}
