package leasekv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringRedisContent;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.LastBulkStringRedisContent;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns the streamed messages of netty's RedisDecoder into {@link RedisCommand}s. Replaces netty's
 * bulk-string and array aggregators because those size their buffers from the headers a client sends
 * (an array header of a billion elements would allocate first and fail later). Here every length is
 * checked against {@link RespServerConfig} before a byte is allocated, an argument is copied exactly
 * once (from the socket buffer into its final byte[]), and an over-limit argument is read and
 * discarded so that the client gets {@code -TOOLARGE} and keeps its connection.
 */
final class CommandAggregator extends ChannelInboundHandlerAdapter {
    private static final byte[] EMPTY = new byte[0];
    private static final int PER_ARGUMENT_OVERHEAD_BYTES = 16;

    private final RespServerConfig config;
    private final UnterminatedLineGuard guard;

    private boolean inArray;
    private long remainingArguments;
    private List<byte[]> args;
    private long commandBytes;
    private String tooLargeReason;
    private byte[] argument;      // the bulk string being filled, null while discarding
    private int argumentFilled;
    private boolean discarding;   // inside an argument of a command that is already too large
    private boolean broken;

    CommandAggregator(RespServerConfig config, UnterminatedLineGuard guard) {
        this.config = config;
        this.guard = guard;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RedisMessage)) {
            ctx.fireChannelRead(msg);
            return;
        }
        guard.messageDecoded();
        try {
            if (!broken) {
                accept(ctx, (RedisMessage) msg);
            }
        } catch (ProtocolViolation violation) {
            broken = true;
            ctx.fireExceptionCaught(violation);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void accept(ChannelHandlerContext ctx, RedisMessage msg) {
        if (!inArray) {
            acceptTopLevel(ctx, msg);
        } else if (argument != null || discarding) {
            acceptContent(ctx, msg);
        } else {
            acceptArgumentStart(ctx, msg);
        }
    }

    private void acceptTopLevel(ChannelHandlerContext ctx, RedisMessage msg) {
        if (msg instanceof InlineCommandRedisMessage) {
            List<byte[]> inline = splitInline(((InlineCommandRedisMessage) msg).content());
            if (!inline.isEmpty()) {
                ctx.fireChannelRead(RedisCommand.of(inline));
            }
            return;
        }
        if (!(msg instanceof ArrayHeaderRedisMessage)) {
            throw new ProtocolViolation(ErrorWord.ERR,
                    "Protocol error: expected an array of bulk strings, got " + describe(msg));
        }
        long count = ((ArrayHeaderRedisMessage) msg).length();
        if (count <= 0) {
            return; // "*0" and "*-1" are empty requests; Redis ignores them too
        }
        if (count > config.maxArguments()) {
            throw new ProtocolViolation(ErrorWord.TOOLARGE, "Protocol error: command has " + count
                    + " arguments, the limit is " + config.maxArguments());
        }
        inArray = true;
        remainingArguments = count;
        args = new ArrayList<>((int) Math.min(count, 16));
        commandBytes = 0;
        tooLargeReason = null;
    }

    private void acceptArgumentStart(ChannelHandlerContext ctx, RedisMessage msg) {
        if (msg instanceof FullBulkStringRedisMessage) {
            FullBulkStringRedisMessage full = (FullBulkStringRedisMessage) msg;
            if (full.isNull()) {
                throw new ProtocolViolation(ErrorWord.ERR, "Protocol error: null bulk string in a command");
            }
            ByteBuf content = full.content();
            startArgument(content.readableBytes());
            fill(content);
            finishArgument(ctx);
            return;
        }
        if (!(msg instanceof BulkStringHeaderRedisMessage)) {
            throw new ProtocolViolation(ErrorWord.ERR,
                    "Protocol error: expected '$' (a bulk string argument), got " + describe(msg));
        }
        startArgument(((BulkStringHeaderRedisMessage) msg).bulkStringLength());
    }

    private void startArgument(int length) {
        if (length > config.maxBulkBytes()) {
            throw new ProtocolViolation(ErrorWord.TOOLARGE, "Protocol error: bulk string of " + length
                    + " bytes, the limit is " + config.maxBulkBytes());
        }
        // Arguments are only limited in sum here; the dispatcher names the key or value that is too long.
        commandBytes += length + PER_ARGUMENT_OVERHEAD_BYTES;
        if (tooLargeReason == null && commandBytes > config.maxCommandBytes()) {
            tooLargeReason = "command is more than " + config.maxCommandBytes() + " bytes";
        }
        if (tooLargeReason != null) {
            discarding = true;
            args.clear(); // nothing of an over-limit command is kept
        } else {
            argument = length == 0 ? EMPTY : new byte[length];
            argumentFilled = 0;
        }
    }

    private void acceptContent(ChannelHandlerContext ctx, RedisMessage msg) {
        if (!(msg instanceof BulkStringRedisContent)) {
            throw new ProtocolViolation(ErrorWord.ERR, "Protocol error: bulk string interrupted by " + describe(msg));
        }
        fill(((BulkStringRedisContent) msg).content());
        if (msg instanceof LastBulkStringRedisContent) {
            finishArgument(ctx);
        }
    }

    private void fill(ByteBuf content) {
        if (discarding) {
            return;
        }
        int n = content.readableBytes();
        content.readBytes(argument, argumentFilled, n);
        argumentFilled += n;
    }

    private void finishArgument(ChannelHandlerContext ctx) {
        if (!discarding) {
            args.add(argument);
        }
        argument = null;
        discarding = false;
        if (--remainingArguments > 0) {
            return;
        }
        inArray = false;
        RedisCommand command = tooLargeReason != null ? RedisCommand.tooLarge(tooLargeReason) : RedisCommand.of(args);
        args = null;
        ctx.fireChannelRead(command);
    }

    private static List<byte[]> splitInline(String line) {
        List<byte[]> parts = new ArrayList<>();
        for (String part : line.trim().split("[ \\t]+")) {
            if (!part.isEmpty()) {
                parts.add(part.getBytes(StandardCharsets.UTF_8));
            }
        }
        return parts;
    }

    private static String describe(RedisMessage msg) {
        return msg.getClass().getSimpleName().replace("RedisMessage", "").toLowerCase(Locale.ROOT);
    }
}
