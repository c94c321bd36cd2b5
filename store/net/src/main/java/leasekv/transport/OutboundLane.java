package leasekv.transport;

import leasekv.netty.EventLoops;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Our connection to one peer on one lane: a bounded queue that {@link #offer} fills from any thread
 * without blocking, and a connection (dial, handshake, reconnect with backoff) that drains it.
 *
 * <p>All connection state lives on one event loop ({@link #loop}): an io loop, or the bulk loop for the
 * snapshot lane. Frames leave the queue only while the socket is writable, so memory per lane is
 * bounded by the queue limits plus the write high-water mark.
 */
final class OutboundLane {
    private static final System.Logger LOG = System.getLogger("leasekv.transport");
    /** A rejected handshake (another cluster, a wrong id) does not fix itself soon: retry, and warn, at most once a second. */
    private static final long REJECTED_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String peerId;
    private final Lane lane;
    private final LaneLimits limits;
    private final TransportConfig config;
    private final EventLoops loops;
    private final EventLoop loop;
    private final TransportMetrics metrics;
    private final ChannelFutureListener countOutcome;

    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedFrames = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private final Runnable drainTask = this::drain;

    private volatile InetSocketAddress address;
    private volatile Channel readyChannel;   // handshake accepted; frames may be written
    private volatile boolean closed;
    private Channel currentChannel;          // loop-confined: the connection being dialled or in use
    private long backoffNanos;               // loop-confined

    OutboundLane(String peerId, Lane lane, InetSocketAddress address, TransportConfig config, EventLoops loops,
                 TransportMetrics metrics) {
        this.peerId = peerId;
        this.lane = lane;
        this.address = address;
        this.limits = config.limits(lane);
        this.config = config;
        this.loops = loops;
        this.loop = (lane == Lane.SNAPSHOT ? loops.bulk() : loops.io()).next();
        this.metrics = metrics;
        this.backoffNanos = config.reconnectBackoffMin().toNanos();
        this.countOutcome = future -> (future.isSuccess() ? metrics.sent(lane) : metrics.dropped(lane)).inc();
    }

    /** Queues a frame; false (and counted as dropped) when the queue is full or the frame too large. */
    boolean offer(byte[] frame) {
        if (closed || frame.length > limits.maxFrameBytes()) {
            if (frame.length > limits.maxFrameBytes()) {
                LOG.log(System.Logger.Level.ERROR, "dropping a " + frame.length + "-byte " + lane.label()
                        + " frame to " + peerId + ": over the lane limit of " + limits.maxFrameBytes() + " bytes");
            }
            metrics.dropped(lane).inc();
            return false;
        }
        if (queuedFrames.incrementAndGet() > limits.maxQueuedFrames()) {
            queuedFrames.decrementAndGet();
            metrics.dropped(lane).inc();
            return false;
        }
        if (queuedBytes.addAndGet(frame.length) > limits.maxQueuedBytes()) {
            queuedBytes.addAndGet(-frame.length);
            queuedFrames.decrementAndGet();
            metrics.dropped(lane).inc();
            return false;
        }
        queue.add(frame);
        if (!dial()) {
            scheduleDrain();
        }
        return true;
    }

    /** Starts connecting unless this lane already has (it then stays connected). Returns true if it started now. */
    boolean dial() {
        if (closed || !started.compareAndSet(false, true)) {
            return false;
        }
        loop.execute(this::connect);
        return true;
    }

    boolean isConnected() {
        Channel ch = readyChannel;
        return ch != null && ch.isActive();
    }

    int queuedFrames() {
        return queuedFrames.get();
    }

    void updateAddress(InetSocketAddress newAddress) {
        this.address = newAddress;
    }

    void close() {
        closed = true;
        if (loop.isShuttingDown()) {
            return; // the event loops went first: their channels are closed with them
        }
        loop.execute(() -> {
            if (currentChannel != null) {
                currentChannel.close();
            }
            byte[] frame;
            while ((frame = queue.poll()) != null) {
                release(frame);
            }
        });
    }

    private void scheduleDrain() {
        if (readyChannel != null && drainScheduled.compareAndSet(false, true)) {
            loop.execute(drainTask);
        }
    }

    /** Moves queued frames to the socket while it is writable; on the loop. */
    private void drain() {
        drainScheduled.set(false);
        Channel ch = readyChannel;
        if (ch == null || !ch.isActive()) {
            return;
        }
        boolean wrote = false;
        while (ch.isWritable()) {
            byte[] frame = queue.poll();
            if (frame == null) {
                break;
            }
            release(frame);
            ByteBuf framed = ch.alloc().directBuffer(FrameDecoder.LENGTH_BYTES + frame.length);
            framed.writeInt(frame.length).writeBytes(frame);
            ch.write(framed).addListener(countOutcome);
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
    }

    private void release(byte[] frame) {
        queuedFrames.decrementAndGet();
        queuedBytes.addAndGet(-frame.length);
    }

    private void connect() {
        if (closed) {
            return;
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(loops.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.writeHighWaterBytes() / 2, limits.writeHighWaterBytes()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder(Handshake.MAX_FRAME_BYTES),
                                new IdleStateHandler(config.peerSilenceTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                new DialerHandler());
                    }
                });
        ChannelFuture connecting = bootstrap.connect(address);
        currentChannel = connecting.channel();
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                LOG.log(System.Logger.Level.DEBUG, "cannot connect " + lane.label() + " lane to " + peerId
                        + " at " + address + ": " + f.cause());
                onDisconnected(connecting.channel(), false);
            }
        });
    }

    private void onReady(Channel ch) {
        if (ch != currentChannel || closed) {
            ch.close();
            return;
        }
        backoffNanos = config.reconnectBackoffMin().toNanos();
        readyChannel = ch;
        LOG.log(System.Logger.Level.INFO, lane.label() + " lane to " + peerId + " connected at " + address);
        drain();
    }

    private void onDisconnected(Channel ch, boolean rejected) {
        if (ch != currentChannel) {
            return;
        }
        currentChannel = null;
        if (readyChannel == ch) {
            readyChannel = null;
            LOG.log(System.Logger.Level.INFO, lane.label() + " lane to " + peerId + " disconnected; reconnecting");
        }
        if (closed) {
            return;
        }
        long delay = rejected ? Math.max(config.reconnectBackoffMax().toNanos(), REJECTED_RETRY_NANOS) : backoffNanos;
        backoffNanos = Math.min(config.reconnectBackoffMax().toNanos(), backoffNanos * 2);
        loop.schedule(this::connect, delay, TimeUnit.NANOSECONDS);
    }

    /** Sends the hello, waits for the answer, then only watches for keepalives and disconnection. */
    private final class DialerHandler extends ChannelInboundHandlerAdapter {
        private boolean accepted;
        private boolean rejected;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Handshake hello = new Handshake(lane, config.clusterId(), config.selfId(), peerId);
            ctx.writeAndFlush(FrameDecoder.frame(hello.encode(ctx.alloc())));
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (accepted) {
                    if (frame.isReadable()) { // only empty keepalives flow this way
                        throw new Handshake.Rejected("unexpected data from the accepting side");
                    }
                    return;
                }
                String rejection = Handshake.readAnswer(frame);
                if (rejection != null) {
                    rejected = true;
                    LOG.log(System.Logger.Level.WARNING, peerId + " at " + address + " rejected our "
                            + lane.label() + " lane: " + rejection);
                    ctx.close();
                    return;
                }
                accepted = true;
                onReady(ctx.channel());
            } catch (Handshake.Rejected e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + lane.label() + " lane to " + peerId + ": "
                        + e.getMessage());
                ctx.close();
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                drain();
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                LOG.log(System.Logger.Level.WARNING, peerId + " has been silent on the " + lane.label()
                        + " lane for " + config.peerSilenceTimeout().toMillis() + " ms; reconnecting");
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            onDisconnected(ctx.channel(), rejected);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(System.Logger.Level.DEBUG, lane.label() + " lane to " + peerId + " failed: " + cause);
            ctx.close();
        }
    }
}
