package leasekv.raft;

/**
 * A confirmed ReadIndex request: the leader was still leader after the request arrived (a quorum
 * acknowledged a heartbeat round sent after it), so a read of the state machine once it has applied
 * at least {@code readIndex} is linearizable.
 *
 * @param requestId the id the node passed to {@link RaftCore#readIndex(long)}
 * @param readIndex the commit index when the request was accepted
 */
public record ReadState(long requestId, long readIndex) {}
