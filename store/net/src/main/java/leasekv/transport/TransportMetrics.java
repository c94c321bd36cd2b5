package leasekv.transport;

import leasekv.metrics.Counter;
import leasekv.metrics.LabelledCounter;
import leasekv.metrics.MetricsRegistry;

import java.util.EnumMap;

/** The transport's counters, resolved once per lane so that the hot path does no map lookups. */
final class TransportMetrics {
    private final EnumMap<Lane, Counter> sent = new EnumMap<>(Lane.class);
    private final EnumMap<Lane, Counter> dropped = new EnumMap<>(Lane.class);
    private final EnumMap<Lane, Counter> received = new EnumMap<>(Lane.class);
    final Counter rejectedConnections;

    TransportMetrics(MetricsRegistry registry) {
        LabelledCounter sentFamily = registry.labelledCounter("leasekv_transport_sent_total",
                "Frames written to a peer connection, by lane.", "lane");
        LabelledCounter droppedFamily = registry.labelledCounter("leasekv_transport_dropped_total",
                "Frames dropped: lane queue full, frame over the lane limit, unknown peer, or lost with a "
                        + "broken connection, by lane.", "lane");
        LabelledCounter receivedFamily = registry.labelledCounter("leasekv_transport_received_total",
                "Frames received from peers, by lane.", "lane");
        rejectedConnections = registry.counter("leasekv_transport_rejected_connections_total",
                "Inbound peer connections rejected at the handshake (wrong cluster id, unknown node, ...).");
        for (Lane lane : Lane.values()) {
            sent.put(lane, sentFamily.labels(lane.label()));
            dropped.put(lane, droppedFamily.labels(lane.label()));
            received.put(lane, receivedFamily.labels(lane.label()));
        }
    }

    Counter sent(Lane lane) {
        return sent.get(lane);
    }

    Counter dropped(Lane lane) {
        return dropped.get(lane);
    }

    Counter received(Lane lane) {
        return received.get(lane);
    }
}
