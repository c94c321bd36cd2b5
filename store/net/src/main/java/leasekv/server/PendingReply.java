package leasekv.server;

import io.netty.handler.codec.redis.RedisMessage;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The reply slot of one command in a connection's pipeline: either already known, or a backend future
 * plus how to encode its value. Slots are answered strictly in request order.
 */
final class PendingReply {
    private static final System.Logger LOG = System.getLogger("leasekv.server");

    /** Turns a backend result into a RESP reply. */
    interface Encoder {
        RedisMessage encode(Object value);
    }

    private final CompletableFuture<?> future;
    private final Encoder encoder;
    private final boolean write;
    private final boolean closeAfter;
    private RedisMessage reply;

    private PendingReply(CompletableFuture<?> future, Encoder encoder, boolean write, RedisMessage reply,
                         boolean closeAfter) {
        this.future = future;
        this.encoder = encoder;
        this.write = write;
        this.reply = reply;
        this.closeAfter = closeAfter;
    }

    static PendingReply of(CompletableFuture<?> future, Encoder encoder, boolean write) {
        return new PendingReply(future, encoder, write, null, false);
    }

    static PendingReply immediate(RedisMessage reply, boolean closeAfter) {
        return new PendingReply(null, null, false, reply, closeAfter);
    }

    CompletableFuture<?> future() {
        return future;
    }

    boolean isDone() {
        return reply != null || future.isDone();
    }

    boolean closeAfter() {
        return closeAfter;
    }

    /** The reply; only call once {@link #isDone()}. */
    RedisMessage reply() {
        if (reply == null) {
            reply = encodeOutcome();
        }
        return reply;
    }

    private RedisMessage encodeOutcome() {
        Object value;
        try {
            value = future.get();
        } catch (ExecutionException | CompletionException e) {
            return failure(e.getCause() != null ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failure(e);
        } catch (RuntimeException e) { // CancellationException
            return failure(e);
        }
        try {
            return encoder.encode(value);
        } catch (RuntimeException e) {
            return failure(e);
        }
    }

    private RedisMessage failure(Throwable cause) {
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof KvException) {
            return Replies.error((KvException) cause);
        }
        LOG.log(System.Logger.Level.ERROR, "backend failed with an untyped exception", cause);
        // A write the backend choked on may already be proposed; only the word UNCERTAIN is honest.
        return Replies.error(write ? ErrorWord.UNCERTAIN : ErrorWord.ERR, "internal error: " + cause);
    }
}
