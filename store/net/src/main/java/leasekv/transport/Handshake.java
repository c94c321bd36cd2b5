package leasekv.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.charset.StandardCharsets;

/**
 * The first frame on every peer connection, from the dialing node, and the one-frame answer.
 *
 * <pre>
 * hello:  int32 magic 'LKV1' | u8 version | u8 lane | str clusterId | str fromNodeId | str toNodeId
 * answer: u8 status (0 accepted, 1 rejected) | str reason
 * str:    u16 length | UTF-8 bytes
 * </pre>
 * The target id catches a misconfigured address (dialing n2's address but reaching n3).
 */
record Handshake(Lane lane, String clusterId, String fromNodeId, String toNodeId) {
    static final int MAGIC = 0x4C4B5631; // "LKV1"
    static final int VERSION = 1;
    static final int MAX_FRAME_BYTES = 1024;
    static final int MAX_STRING_BYTES = 255;

    /** A malformed or unacceptable hello; the message is logged and sent back as the rejection reason. */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;

        Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    ByteBuf encode(ByteBufAllocator alloc) {
        ByteBuf body = alloc.buffer(64);
        body.writeInt(MAGIC).writeByte(VERSION).writeByte(lane.code());
        writeString(body, clusterId);
        writeString(body, fromNodeId);
        writeString(body, toNodeId);
        return body;
    }

    static Handshake decode(ByteBuf body) throws Rejected {
        if (body.readableBytes() < 6 || body.readInt() != MAGIC) {
            throw new Rejected("not a leasekv peer connection (bad magic)");
        }
        int version = body.readUnsignedByte();
        if (version != VERSION) {
            throw new Rejected("unsupported handshake version " + version + " (expected " + VERSION + ")");
        }
        Lane lane = Lane.fromCode(body.readUnsignedByte());
        if (lane == null) {
            throw new Rejected("unknown lane code");
        }
        return new Handshake(lane, readString(body), readString(body), readString(body));
    }

    static ByteBuf answer(ByteBufAllocator alloc, String rejectionOrNull) {
        ByteBuf body = alloc.buffer(32);
        body.writeByte(rejectionOrNull == null ? 0 : 1);
        writeString(body, rejectionOrNull == null ? "" : rejectionOrNull);
        return body;
    }

    /** @return null when accepted, else the reason the other side gave */
    static String readAnswer(ByteBuf body) throws Rejected {
        if (body.readableBytes() < 3) {
            throw new Rejected("truncated handshake answer");
        }
        int status = body.readUnsignedByte();
        String reason = readString(body);
        return status == 0 ? null : reason;
    }

    private static void writeString(ByteBuf out, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, MAX_STRING_BYTES);
        out.writeShort(length).writeBytes(bytes, 0, length);
    }

    private static String readString(ByteBuf in) throws Rejected {
        if (in.readableBytes() < 2) {
            throw new Rejected("truncated handshake");
        }
        int length = in.readUnsignedShort();
        if (length > MAX_STRING_BYTES || in.readableBytes() < length) {
            throw new Rejected("truncated handshake");
        }
        return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }
}
