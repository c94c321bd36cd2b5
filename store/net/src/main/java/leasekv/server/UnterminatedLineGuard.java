package leasekv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits in front of netty's RedisDecoder and bounds what it may buffer. The decoder limits inline
 * commands, but waits without limit for the CRLF that ends a {@code $<len>} or {@code *<count>} line,
 * so a client sending {@code $} and then megabytes without a newline would grow its buffer forever.
 *
 * <p>The decoder emits a message for every read that makes progress (bulk content is streamed in
 * chunks), so bytes that arrive while it emits nothing can only be an unterminated line. This guard
 * counts them ({@link #messageDecoded()} resets the count) and fails the connection above the limit.
 */
final class UnterminatedLineGuard extends ChannelInboundHandlerAdapter {
    private final long maxSilentBytes;
    private long bytesSinceLastMessage;
    private boolean tripped;

    /** @param maxLineBytes the longest line the decoder may legitimately be waiting on */
    UnterminatedLineGuard(int maxLineBytes) {
        // Slack of two socket reads: the count is reset mid-read, so it can lag by up to one read.
        this.maxSilentBytes = (long) maxLineBytes + 2 * 65536;
    }

    void messageDecoded() {
        bytesSinceLastMessage = 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (tripped) {
            ReferenceCountUtil.release(msg);
            return;
        }
        bytesSinceLastMessage += ((ByteBuf) msg).readableBytes();
        if (bytesSinceLastMessage > maxSilentBytes) {
            tripped = true;
            ReferenceCountUtil.release(msg);
            ctx.fireExceptionCaught(new ProtocolViolation(ErrorWord.ERR,
                    "Protocol error: no line end within " + maxSilentBytes + " bytes"));
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
