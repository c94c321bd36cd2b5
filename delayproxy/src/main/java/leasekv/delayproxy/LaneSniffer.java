package leasekv.delayproxy;

/**
 * Reads which leasekv peer lane a connection carries from the start of its handshake, so that a
 * delay can hit one kind of Raft traffic only (for example appends but not heartbeats, which widens
 * the gap between a new leader's lease and its first commit).
 *
 * <p>The hello frame is {@code int32 length | int32 magic 'LKV1' | u8 version | u8 lane | ...}
 * (leasekv.transport.Handshake). Any other first bytes mean "not a leasekv peer connection": the
 * lane is null and only rules without a lane apply. The hello is sent in one write, so the first
 * chunk the proxy reads holds at least its first {@link #PREFIX_BYTES} bytes.
 */
final class LaneSniffer {
    static final int PREFIX_BYTES = 10;
    private static final int MAGIC = 0x4C4B5631;

    private LaneSniffer() {}

    /** Returns the lane a connection's first bytes name, or null when they are not a leasekv hello. */
    static String laneOf(byte[] prefix) {
        if (prefix.length < PREFIX_BYTES || readInt(prefix, 4) != MAGIC) return null;
        int code = prefix[9] & 0xff;
        return code < DelayRules.LANES.size() ? DelayRules.LANES.get(code) : null;
    }

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
