package leasekv.server;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builders for RESP replies. Values are wrapped, not copied (the backend no longer mutates them). */
final class Replies {
    static final RedisMessage OK = new SimpleStringRedisMessage("OK");
    static final RedisMessage PONG = new SimpleStringRedisMessage("PONG");
    static final RedisMessage NIL = FullBulkStringRedisMessage.NULL_INSTANCE;
    static final RedisMessage EMPTY_ARRAY = ArrayRedisMessage.EMPTY_INSTANCE;
    private static final IntegerRedisMessage[] SMALL_INTEGERS = new IntegerRedisMessage[256];

    static {
        for (int i = 0; i < SMALL_INTEGERS.length; i++) {
            SMALL_INTEGERS[i] = new IntegerRedisMessage(i);
        }
    }

    private Replies() {
    }

    static RedisMessage integer(long value) {
        return value >= 0 && value < SMALL_INTEGERS.length ? SMALL_INTEGERS[(int) value] : new IntegerRedisMessage(value);
    }

    static RedisMessage bulkOrNil(byte[] value) {
        return value == null ? NIL : new FullBulkStringRedisMessage(Unpooled.wrappedBuffer(value));
    }

    static RedisMessage bulkOrNil(String value) {
        return value == null ? NIL : bulkOrNil(value.getBytes(StandardCharsets.UTF_8));
    }

    static RedisMessage array(List<RedisMessage> children) {
        return children.isEmpty() ? EMPTY_ARRAY : new ArrayRedisMessage(children);
    }

    static RedisMessage bulkArray(List<byte[]> values) {
        List<RedisMessage> children = new ArrayList<>(values.size());
        for (byte[] value : values) {
            children.add(bulkOrNil(value));
        }
        return array(children);
    }

    static RedisMessage stringArray(List<String> values) {
        List<RedisMessage> children = new ArrayList<>(values.size());
        for (String value : values) {
            children.add(bulkOrNil(value));
        }
        return array(children);
    }

    /** {@code -WORD detail}; CR and LF are replaced so that a message can never break RESP framing. */
    static RedisMessage error(ErrorWord word, String detail) {
        String text = detail == null || detail.isEmpty() ? word.name() : word.name() + " " + detail;
        return new ErrorRedisMessage(sanitize(text));
    }

    static RedisMessage error(KvException e) {
        return new ErrorRedisMessage(sanitize(e.replyText()));
    }

    /** A printable rendering of client-supplied bytes for error messages, at most 64 characters. */
    static String printable(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 64), StandardCharsets.UTF_8);
        return sanitize(text) + (bytes.length > 64 ? "..." : "");
    }

    static String sanitize(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n') {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                out.setCharAt(i, ' ');
            }
        }
        return out == null ? text : out.toString();
    }

    static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }
}
