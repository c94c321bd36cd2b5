package leasekv.transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Configuration of the peer transport.
 *
 * @param clusterId           every connection's handshake must carry this id
 * @param selfId              this node's id
 * @param bindAddress         where peers connect to us (port 0 picks a free port)
 * @param peers               the other nodes' peer addresses by id (self may be included; it is ignored)
 * @param laneLimits          limits per lane
 * @param connectTimeout      one TCP connect attempt
 * @param reconnectBackoffMin first wait after a failed or lost connection; doubles per failure
 * @param reconnectBackoffMax longest wait between attempts (after a rejected handshake: at least 1 s)
 * @param handshakeTimeout    an inbound connection that does not complete its handshake by then is closed
 * @param keepaliveInterval   how often the accepting side sends an empty frame back on each connection
 * @param peerSilenceTimeout  the dialing side drops a connection that has been silent this long (a
 *                            partition that TCP would only notice after minutes of retransmissions)
 */
public record TransportConfig(String clusterId, String selfId, InetSocketAddress bindAddress,
                              Map<String, InetSocketAddress> peers, Map<Lane, LaneLimits> laneLimits,
                              Duration connectTimeout, Duration reconnectBackoffMin, Duration reconnectBackoffMax,
                              Duration handshakeTimeout, Duration keepaliveInterval, Duration peerSilenceTimeout) {
    public TransportConfig {
        if (clusterId == null || clusterId.isEmpty() || selfId == null || selfId.isEmpty()) {
            throw new IllegalArgumentException("clusterId and selfId are required");
        }
        if (bindAddress == null || peers == null) {
            throw new IllegalArgumentException("bindAddress and peers are required");
        }
        EnumMap<Lane, LaneLimits> limits = new EnumMap<>(Lane.class);
        for (Lane lane : Lane.values()) {
            LaneLimits given = laneLimits == null ? null : laneLimits.get(lane);
            limits.put(lane, given != null ? given : LaneLimits.defaults(lane));
        }
        laneLimits = Map.copyOf(limits);
        peers = Map.copyOf(peers);
        if (keepaliveInterval.compareTo(peerSilenceTimeout) >= 0) {
            throw new IllegalArgumentException("keepaliveInterval " + keepaliveInterval
                    + " must be shorter than peerSilenceTimeout " + peerSilenceTimeout);
        }
        if (reconnectBackoffMin.isNegative() || reconnectBackoffMin.isZero()
                || reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
            throw new IllegalArgumentException("need 0 < reconnectBackoffMin <= reconnectBackoffMax");
        }
    }

    /**
     * Defaults: connect 1 s, reconnect backoff 50 ms doubling to 200 ms, handshake 5 s, keepalive every
     * 500 ms, a connection silent for 3 s is replaced, default lane limits.
     *
     * <p>The backoff stays short because a refused connect is cheap (the peer's host answers at once)
     * while waiting is not: a peer that starts a moment after us, or restarts after a crash, is reached
     * within two heartbeat intervals, not up to a second later (which delayed a new cluster's first
     * election by most of that second). An unreachable host costs the connect timeout per attempt anyway.
     */
    public static TransportConfig defaults(String clusterId, String selfId, InetSocketAddress bindAddress,
                                           Map<String, InetSocketAddress> peers) {
        return new TransportConfig(clusterId, selfId, bindAddress, peers, null, Duration.ofSeconds(1),
                Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(5), Duration.ofMillis(500),
                Duration.ofSeconds(3));
    }

    /** A copy with other limits for one lane. */
    public TransportConfig withLaneLimits(Lane lane, LaneLimits limits) {
        EnumMap<Lane, LaneLimits> copy = new EnumMap<>(laneLimits);
        copy.put(lane, limits);
        return new TransportConfig(clusterId, selfId, bindAddress, peers, copy, connectTimeout, reconnectBackoffMin,
                reconnectBackoffMax, handshakeTimeout, keepaliveInterval, peerSilenceTimeout);
    }

    /** A copy with other timing (tests use short timeouts). */
    public TransportConfig withTiming(Duration connectTimeout, Duration reconnectBackoffMin,
                                      Duration reconnectBackoffMax, Duration keepaliveInterval,
                                      Duration peerSilenceTimeout) {
        return new TransportConfig(clusterId, selfId, bindAddress, peers, laneLimits, connectTimeout,
                reconnectBackoffMin, reconnectBackoffMax, handshakeTimeout, keepaliveInterval, peerSilenceTimeout);
    }

    public LaneLimits limits(Lane lane) {
        return laneLimits.get(lane);
    }
}
