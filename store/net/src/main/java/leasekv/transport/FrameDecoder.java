package leasekv.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;

import java.util.List;

/**
 * Splits {@code int32 length | payload} frames. The length is checked against the current limit before
 * the payload is buffered; the limit starts at the handshake size and is raised to the lane's limit
 * once the handshake has said which lane this is.
 */
final class FrameDecoder extends ByteToMessageDecoder {
    static final int LENGTH_BYTES = 4;
    private int maxFrameBytes;

    FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    void setMaxFrameBytes(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws TooLongFrameException {
        if (in.readableBytes() < LENGTH_BYTES) {
            return;
        }
        int length = in.getInt(in.readerIndex());
        if (length < 0 || length > maxFrameBytes) {
            throw new TooLongFrameException("frame of " + length + " bytes exceeds the limit of " + maxFrameBytes);
        }
        if (in.readableBytes() < LENGTH_BYTES + length) {
            return;
        }
        in.skipBytes(LENGTH_BYTES);
        out.add(in.readRetainedSlice(length));
    }

    /** Prefixes a payload with its length. */
    static ByteBuf frame(ByteBuf payload) {
        ByteBuf framed = payload.alloc().buffer(LENGTH_BYTES + payload.readableBytes());
        framed.writeInt(payload.readableBytes()).writeBytes(payload);
        payload.release();
        return framed;
    }
}
