package leasekv.server;

import java.util.List;

/**
 * One complete request from a client: its arguments (the first is the command name), or, when it broke
 * a size limit that does not require closing the connection, the reason it is too large.
 */
final class RedisCommand {
    final List<byte[]> args;
    final String tooLargeReason;

    private RedisCommand(List<byte[]> args, String tooLargeReason) {
        this.args = args;
        this.tooLargeReason = tooLargeReason;
    }

    static RedisCommand of(List<byte[]> args) {
        return new RedisCommand(args, null);
    }

    static RedisCommand tooLarge(String reason) {
        return new RedisCommand(null, reason);
    }
}
