package leasekv.transport;

/**
 * Receives inbound frames.
 *
 * <p><b>Threading:</b> called on a netty event loop thread: an io thread for the control and replication
 * lanes, the bulk thread for the snapshot lane. Frames of one peer and lane arrive in order, on one
 * thread at a time; different lanes and peers may call concurrently. The callback must not block: put
 * the frame on the node's own queue and return. An exception from it is logged and the frame is lost;
 * the connection stays up.
 */
@FunctionalInterface
public interface FrameHandler {
    /** @param frame the payload exactly as sent; the handler owns the array */
    void onFrame(String fromPeer, Lane lane, byte[] frame);
}
