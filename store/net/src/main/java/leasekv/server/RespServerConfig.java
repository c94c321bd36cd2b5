package leasekv.server;

import java.net.InetSocketAddress;

/**
 * Limits of the RESP server. Sizes are checked from the length headers, before anything is allocated.
 *
 * @param bindAddress        where to listen (port 0 picks a free port)
 * @param maxKeyBytes        a longer key is answered {@code -TOOLARGE} (connection kept)
 * @param maxValueBytes      a longer value (SET, CAS, RPUSH element) is answered {@code -TOOLARGE} (connection kept)
 * @param maxCommandBytes    a command whose arguments add up to more is answered {@code -TOOLARGE}
 *                           (connection kept; the rest of it is read and discarded, never stored)
 * @param maxBulkBytes       framing limit: a bulk string announced longer than this is answered
 *                           {@code -TOOLARGE} and the connection is closed (not worth streaming through)
 * @param maxArguments       framing limit: an array announced longer is answered {@code -TOOLARGE} and closed
 * @param maxInlineBytes     framing limit: the longest line, inline command or {@code *}/{@code $} length line
 * @param maxPendingReplies  per connection: above this many unanswered pipelined commands the server
 *                           stops reading from that connection until replies drain
 */
public record RespServerConfig(InetSocketAddress bindAddress, int maxKeyBytes, int maxValueBytes,
                               int maxCommandBytes, int maxBulkBytes, int maxArguments, int maxInlineBytes,
                               int maxPendingReplies) {
    public static final int KEY_LIMIT_BYTES = 64 * 1024;
    public static final int VALUE_LIMIT_BYTES = 1024 * 1024;

    public RespServerConfig {
        if (bindAddress == null) {
            throw new IllegalArgumentException("bindAddress is required");
        }
        requirePositive("maxKeyBytes", maxKeyBytes);
        requirePositive("maxValueBytes", maxValueBytes);
        requirePositive("maxInlineBytes", maxInlineBytes);
        requirePositive("maxArguments", maxArguments);
        requirePositive("maxPendingReplies", maxPendingReplies);
        if (maxCommandBytes < Math.max(maxKeyBytes, maxValueBytes) || maxBulkBytes < maxCommandBytes) {
            throw new IllegalArgumentException("need max(maxKeyBytes, maxValueBytes) <= maxCommandBytes <= "
                    + "maxBulkBytes, got " + maxCommandBytes + " and " + maxBulkBytes);
        }
    }

    /** The limits of docs/contracts.md: 64 KiB keys, 1 MiB values; 4 MiB commands; 16 MiB framing. */
    public static RespServerConfig defaults(InetSocketAddress bindAddress) {
        return new RespServerConfig(bindAddress, KEY_LIMIT_BYTES, VALUE_LIMIT_BYTES, 4 * 1024 * 1024,
                16 * 1024 * 1024, 1024 * 1024, 64 * 1024, 1024);
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
