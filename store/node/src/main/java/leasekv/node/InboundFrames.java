package leasekv.node;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import leasekv.raft.Message;
import leasekv.transport.FrameHandler;
import leasekv.transport.Lane;

/**
 * Routes inbound frames: snapshot chunks to the assembler, Raft messages to the replica's inbox.
 */
final class InboundFrames implements FrameHandler {
  private static final Logger LOG = System.getLogger("leasekv.transport");

  private final ReplicaInbox inbox;
  private final SnapshotAssembler snapshots;

  InboundFrames(ReplicaInbox inbox, SnapshotAssembler snapshots) {
    this.inbox = inbox;
    this.snapshots = snapshots;
  }

  @Override
  public void onFrame(String fromPeer, Lane lane, byte[] frame) {
    if (lane == Lane.SNAPSHOT) {
      snapshots.onFrame(fromPeer, frame);
      return;
    }
    Message m;
    try {
      m = MessageCodec.decode(frame);
    } catch (MessageCodec.MalformedFrameException e) {
      LOG.log(Level.WARNING, "dropping a malformed frame from " + fromPeer + ": " + e.getMessage());
      return;
    }
    inbox.post(replica -> replica.receive(m)); // a full inbox drops it: Raft tolerates the loss
  }
}
