package leasekv.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection: dispatches commands and writes the replies strictly in request order, however
 * the backend futures complete (pipelining, as redis-benchmark -P does).
 *
 * <p>All state is confined to the connection's event loop. Replies that are ready when their command
 * arrives (and nothing is queued before them) are written at once and flushed once per socket read;
 * the others wait in {@link #pending} until every earlier reply has been written.
 *
 * <p>Backpressure: while {@code maxPendingReplies} commands are unanswered or the socket is not writable
 * (a client that pipelines without reading its replies), further commands are not dispatched but
 * parked in {@link #deferred} (at most what one socket read held) and reading pauses. So a client that
 * never reads costs the server at most the outbound high-water mark plus one read, not its backlog.
 *
 * <p>Framing errors (bad RESP, framing limits): the client gets the replies to its earlier commands,
 * then one error, then the connection is closed. Other connections are unaffected.
 */
final class RespConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger("leasekv.server");

    private final CommandDispatcher dispatcher;
    private final int maxPendingReplies;
    private final ArrayDeque<PendingReply> pending = new ArrayDeque<>();
    private final ArrayDeque<RedisCommand> deferred = new ArrayDeque<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private ChannelHandlerContext ctx;
    private boolean needsFlush;
    private boolean closing;
    private boolean violated; // a framing error was seen: no more commands from this connection
    private Runnable drainTask;

    RespConnectionHandler(CommandDispatcher dispatcher, int maxPendingReplies) {
        this.dispatcher = dispatcher;
        this.maxPendingReplies = maxPendingReplies;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.drainTask = this::drain;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RedisCommand) || closing || violated) {
            ReferenceCountUtil.release(msg);
            return;
        }
        RedisCommand command = (RedisCommand) msg;
        if (!deferred.isEmpty() || !canDispatch()) {
            deferred.addLast(command); // at most one socket read's worth: reading is paused meanwhile
            updateReading();
            return;
        }
        dispatch(command);
    }

    /** Dispatch only while the client keeps up: few unanswered commands and a writable socket. */
    private boolean canDispatch() {
        return pending.size() < maxPendingReplies && ctx.channel().isWritable();
    }

    private void dispatchDeferred() {
        while (!closing && !violated && !deferred.isEmpty() && canDispatch()) {
            dispatch(deferred.pollFirst());
        }
    }

    private void dispatch(RedisCommand command) {
        Object outcome = command.tooLargeReason != null
                ? Replies.error(ErrorWord.TOOLARGE, command.tooLargeReason)
                : dispatcher.dispatch(command.args);
        if (outcome instanceof RedisMessage) {
            enqueueOrWrite(PendingReply.immediate((RedisMessage) outcome, false));
        } else {
            enqueueOrWrite((PendingReply) outcome);
        }
    }

    private void enqueueOrWrite(PendingReply reply) {
        if (pending.isEmpty() && reply.isDone()) {
            writeReply(reply);
            return;
        }
        pending.addLast(reply);
        if (!reply.isDone()) {
            reply.future().whenComplete((value, error) -> scheduleDrain());
        }
        updateReading();
    }

    private void writeReply(PendingReply reply) {
        if (reply.closeAfter()) {
            startClosing(reply.reply());
            return;
        }
        ctx.write(reply.reply(), ctx.voidPromise());
        needsFlush = true;
    }

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(drainTask);
        }
    }

    /** Writes every reply at the head of the queue that is ready; runs on the event loop. */
    private void drain() {
        drainScheduled.set(false);
        while (!closing && !pending.isEmpty() && pending.peekFirst().isDone()) {
            writeReply(pending.pollFirst());
        }
        dispatchDeferred();
        flushIfNeeded();
        updateReading();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushIfNeeded();
        updateReading();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        dispatchDeferred();
        flushIfNeeded();
        updateReading();
        ctx.fireChannelWritabilityChanged();
    }

    private void flushIfNeeded() {
        if (needsFlush) {
            needsFlush = false;
            ctx.flush();
        }
    }

    private void updateReading() {
        boolean wanted = !closing && !violated && deferred.isEmpty() && canDispatch();
        if (ctx.channel().config().isAutoRead() != wanted) {
            ctx.channel().config().setAutoRead(wanted);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closing || violated) {
            return;
        }
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof IOException) {
            ctx.close(); // reset by the client: nobody to answer
            return;
        }
        RedisMessage error;
        if (root instanceof ProtocolViolation) {
            error = Replies.error(((ProtocolViolation) root).word, root.getMessage());
        } else if (cause instanceof DecoderException) {
            error = Replies.error(ErrorWord.ERR, "Protocol error: " + root.getMessage());
        } else {
            LOG.log(System.Logger.Level.WARNING, "closing client connection " + ctx.channel().remoteAddress(), cause);
            error = Replies.error(ErrorWord.ERR, "internal error: " + root);
        }
        // The error goes after the replies to the commands that came before the bad bytes.
        violated = true;
        ctx.channel().config().setAutoRead(false);
        enqueueOrWrite(PendingReply.immediate(error, true));
        flushIfNeeded();
    }

    private void startClosing(RedisMessage lastReply) {
        closing = true;
        pending.clear();
        deferred.clear();
        ctx.channel().config().setAutoRead(false);
        needsFlush = false;
        ctx.writeAndFlush(lastReply).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        pending.clear(); // late futures find nothing to answer
        ctx.fireChannelInactive();
    }
}
