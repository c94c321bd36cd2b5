package leasekv.transport;

/**
 * The separate connections to each peer. Each lane has its own TCP connection, queue and limits, so a
 * snapshot transfer can never delay a heartbeat. {@link #label()} is the metrics label.
 */
public enum Lane {
    /** Votes, pre-votes, heartbeats and their responses, TimeoutNow. */
    CONTROL("control"),
    /** Appends and their responses. */
    REPLICATION("replication"),
    /** Snapshot chunks. Served by the bulk event loop on both ends. */
    SNAPSHOT("snapshot");

    private static final Lane[] ALL = values();
    private final String label;

    Lane(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    static Lane fromCode(int code) {
        return code >= 0 && code < ALL.length ? ALL[code] : null;
    }

    int code() {
        return ordinal();
    }
}
