package leasekv.transport;

/**
 * Bounds of one lane to one peer.
 *
 * @param maxFrameBytes        the largest frame; larger sends are dropped, larger inbound frames close the
 *                             connection (a peer that sends them is broken or hostile)
 * @param maxQueuedFrames      frames waiting for the connection; beyond this {@code send} drops
 * @param maxQueuedBytes       bytes waiting for the connection; beyond this {@code send} drops
 * @param writeHighWaterBytes  netty's outbound buffer above which the lane stops handing frames to the
 *                             socket (they wait in the queue, where they are counted and bounded)
 */
public record LaneLimits(int maxFrameBytes, int maxQueuedFrames, long maxQueuedBytes, int writeHighWaterBytes) {
    public LaneLimits {
        if (maxFrameBytes <= 0 || maxQueuedFrames <= 0 || maxQueuedBytes < maxFrameBytes || writeHighWaterBytes <= 0) {
            throw new IllegalArgumentException("lane limits must be positive and maxQueuedBytes >= maxFrameBytes: "
                    + maxFrameBytes + ", " + maxQueuedFrames + ", " + maxQueuedBytes + ", " + writeHighWaterBytes);
        }
    }

    /** Defaults: control 1 MiB frames / 1024 queued / 4 MiB; replication and snapshot 16 MiB frames. */
    public static LaneLimits defaults(Lane lane) {
        switch (lane) {
            case CONTROL:
                return new LaneLimits(1 << 20, 1024, 4L << 20, 64 * 1024);
            case REPLICATION:
                return new LaneLimits(16 << 20, 4096, 64L << 20, 4 << 20);
            case SNAPSHOT:
                return new LaneLimits(16 << 20, 64, 64L << 20, 4 << 20);
            default:
                throw new IllegalArgumentException("unknown lane " + lane);
        }
    }
}
