package leasekv.server;

/**
 * The identity of a {@code REQ client-id seq ...} write: the state machine applies each pair at most
 * once and answers a duplicate with the original result. Clients use increasing sequence numbers.
 */
public record RequestId(String clientId, long seq) {
    public RequestId {
        if (clientId == null || clientId.isEmpty()) {
            throw new IllegalArgumentException("clientId must be non-empty");
        }
    }
}
