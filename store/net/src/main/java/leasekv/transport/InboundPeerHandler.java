package leasekv.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * A connection a peer opened to us: validates its hello (cluster id, known sender, us as target), then
 * delivers its frames to the {@link FrameHandler} and sends empty keepalive frames back so that the
 * dialer can tell a silent partition from an idle lane.
 *
 * <p>Snapshot-lane connections are moved to the bulk event loop right after the handshake, so that
 * receiving multi-megabyte chunks never runs on a thread that control frames are waiting for.
 */
final class InboundPeerHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger("leasekv.transport");

    private final PeerTransport transport;
    private final FrameDecoder decoder;
    private String peerId;
    private Lane lane;
    private ScheduledFuture<?> timer; // handshake timeout, then the keepalive task

    InboundPeerHandler(PeerTransport transport, FrameDecoder decoder) {
        this.transport = transport;
        this.decoder = decoder;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        long timeoutMillis = transport.config().handshakeTimeout().toMillis();
        timer = ctx.executor().schedule(() -> {
            if (lane == null) {
                reject(ctx, "no handshake within " + timeoutMillis + " ms");
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (lane != null) {
                deliver(frame);
            } else {
                handshake(ctx, frame);
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    private void deliver(ByteBuf frame) {
        byte[] bytes = ByteBufUtil.getBytes(frame);
        transport.metrics().received(lane).inc();
        try {
            transport.handler().onFrame(peerId, lane, bytes);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "frame handler failed on a " + lane.label() + " frame from "
                    + peerId + "; the frame is lost", e);
        }
    }

    private void handshake(ChannelHandlerContext ctx, ByteBuf frame) {
        Handshake hello;
        try {
            hello = Handshake.decode(frame);
        } catch (Handshake.Rejected e) {
            reject(ctx, e.getMessage());
            return;
        }
        String problem = transport.validate(hello);
        if (problem != null) {
            reject(ctx, problem);
            return;
        }
        timer.cancel(false);
        peerId = hello.fromNodeId();
        lane = hello.lane();
        decoder.setMaxFrameBytes(transport.config().limits(lane).maxFrameBytes());
        transport.registerInbound(peerId, lane, ctx.channel());
        ctx.writeAndFlush(FrameDecoder.frame(Handshake.answer(ctx.alloc(), null)));
        EventLoop target = transport.inboundLoopFor(lane);
        if (target == null || target == ctx.channel().eventLoop()) {
            startKeepalives(ctx.channel());
        } else {
            moveTo(ctx.channel(), target);
        }
    }

    /** Re-registers the channel with another event loop; reading pauses while it moves. */
    private void moveTo(Channel ch, EventLoop target) {
        ch.config().setAutoRead(false);
        ch.deregister().addListener(deregistered -> {
            if (!deregistered.isSuccess()) {
                LOG.log(System.Logger.Level.WARNING, "cannot move the " + lane.label() + " lane of " + peerId
                        + " to its event loop: " + deregistered.cause());
                ch.close();
                return;
            }
            target.register(ch).addListener(registered -> {
                if (!registered.isSuccess()) {
                    LOG.log(System.Logger.Level.WARNING, "cannot move the " + lane.label() + " lane of " + peerId
                            + " to its event loop: " + registered.cause());
                    ch.close();
                    return;
                }
                startKeepalives(ch);
                ch.config().setAutoRead(true);
            });
        });
    }

    private void startKeepalives(Channel ch) {
        long intervalMillis = transport.config().keepaliveInterval().toMillis();
        timer = ch.eventLoop().scheduleAtFixedRate(() -> {
            // Skipped while the socket is backed up: a keepalive is pointless when data is queued anyway.
            if (ch.isActive() && ch.isWritable()) {
                ch.writeAndFlush(ch.alloc().buffer(4).writeInt(0), ch.voidPromise());
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void reject(ChannelHandlerContext ctx, String reason) {
        transport.metrics().rejectedConnections.inc();
        LOG.log(System.Logger.Level.WARNING, "rejected peer connection from " + ctx.channel().remoteAddress()
                + ": " + reason);
        ctx.writeAndFlush(FrameDecoder.frame(Handshake.answer(ctx.alloc(), reason)))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        if (lane != null) {
            transport.unregisterInbound(peerId, lane, ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.WARNING, "closing peer connection from "
                + (peerId != null ? peerId + " (" + lane.label() + ")" : ctx.channel().remoteAddress()) + ": " + cause);
        ctx.close();
    }
}
