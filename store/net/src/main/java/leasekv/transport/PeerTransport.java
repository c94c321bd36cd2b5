package leasekv.transport;

import leasekv.netty.EventLoops;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import leasekv.metrics.MetricsRegistry;

import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Moves opaque frames between the nodes of one cluster over netty TCP, on separate connections per
 * peer and {@link Lane}.
 *
 * <pre>{@code
 * PeerTransport t = new PeerTransport(TransportConfig.defaults("leasekv", "n1", bind, peers),
 *                                    loops, registry, (from, lane, frame) -> nodeInbox.offer(...)).start();
 * boolean queued = t.send("n2", Lane.CONTROL, heartbeatBytes);   // never blocks
 * }</pre>
 *
 * <ul>
 *   <li>{@link #send} never blocks: it appends to a bounded per-peer, per-lane queue and returns false
 *       (counted in {@code leasekv_transport_dropped_total{lane}}) when the queue is full, the frame is
 *       over the lane's limit, or the peer is unknown. A false return means "not delivered"; Raft treats
 *       the peer as unreachable and resends later.</li>
 *   <li>A lane connects on its first send, then reconnects after failures with exponential backoff;
 *       a down peer costs one connect attempt per backoff period and never slows other peers. The
 *       control lanes are dialled as soon as the transport starts: otherwise a new cluster's first
 *       (pre-)votes wait for dials and backoffs, arrive together once the peers are up, and split the
 *       vote.</li>
 *   <li>Every connection opens with a handshake carrying the cluster id, the sender's id and the target
 *       id; the accepting node rejects (and logs) a wrong cluster id, an unknown sender or a wrong target.</li>
 *   <li>Frames are delivered to the {@link FrameHandler} on netty threads; see its threading notes.</li>
 *   <li>Ordering: frames of one lane to one peer arrive in send order; frames that were dropped or lost
 *       with a broken connection are simply missing. There is no order across lanes.</li>
 * </ul>
 * Thread-safe.
 */
public final class PeerTransport implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("leasekv.transport");

    private final TransportConfig config;
    private final EventLoops loops;
    private final TransportMetrics metrics;
    private final FrameHandler handler;
    private final Map<String, EnumMap<Lane, OutboundLane>> outbound = new ConcurrentHashMap<>();
    private final Map<String, InetSocketAddress> peerAddresses = new ConcurrentHashMap<>();
    private final Map<String, Channel> inbound = new ConcurrentHashMap<>();
    private Channel serverChannel;
    private volatile boolean closed;

    public PeerTransport(TransportConfig config, EventLoops loops, MetricsRegistry registry, FrameHandler handler) {
        this.config = config;
        this.loops = loops;
        this.metrics = new TransportMetrics(registry);
        this.handler = handler;
        config.peers().forEach((id, address) -> {
            if (!id.equals(config.selfId())) {
                addPeer(id, address);
            }
        });
    }

    /** Binds the peer port; throws if the address is taken. */
    public synchronized PeerTransport start() throws InterruptedException {
        if (serverChannel != null) {
            throw new IllegalStateException("transport already started");
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.io())
                .channel(loops.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true) // rebind right after a restart
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        FrameDecoder decoder = new FrameDecoder(Handshake.MAX_FRAME_BYTES);
                        ch.pipeline().addLast(decoder, new InboundPeerHandler(PeerTransport.this, decoder));
                    }
                });
        serverChannel = bootstrap.bind(config.bindAddress()).sync().channel();
        LOG.log(System.Logger.Level.INFO, "peer transport of " + config.selfId() + " listening on "
                + serverChannel.localAddress() + " (" + (loops.isEpoll() ? "epoll" : "nio") + ")");
        outbound.values().forEach(lanes -> lanes.get(Lane.CONTROL).dial());
        return this;
    }

    /**
     * Queues {@code frame} for {@code peerId} on {@code lane}. Never blocks. The array must not be
     * modified afterwards. Returns false when the frame was dropped (and counted).
     */
    public boolean send(String peerId, Lane lane, byte[] frame) {
        EnumMap<Lane, OutboundLane> lanes = outbound.get(peerId);
        if (lanes == null || closed) {
            metrics.dropped(lane).inc();
            return false;
        }
        return lanes.get(lane).offer(frame);
    }

    /** Adds a peer (or changes its address), e.g. before a membership change adds it as a voter. */
    public void addPeer(String peerId, InetSocketAddress address) {
        if (peerId.equals(config.selfId())) {
            throw new IllegalArgumentException("cannot add self (" + peerId + ") as a peer");
        }
        peerAddresses.put(peerId, address);
        outbound.compute(peerId, (id, existing) -> {
            if (existing != null) {
                existing.values().forEach(l -> l.updateAddress(address));
                return existing;
            }
            EnumMap<Lane, OutboundLane> lanes = new EnumMap<>(Lane.class);
            for (Lane lane : Lane.values()) {
                lanes.put(lane, new OutboundLane(id, lane, address, config, loops, metrics));
            }
            return lanes;
        });
    }

    /** Forgets a peer: its queues are discarded, its connections closed, its handshakes refused. */
    public void removePeer(String peerId) {
        peerAddresses.remove(peerId);
        EnumMap<Lane, OutboundLane> lanes = outbound.remove(peerId);
        if (lanes != null) {
            lanes.values().forEach(OutboundLane::close);
        }
        for (Lane lane : Lane.values()) {
            Channel ch = inbound.remove(inboundKey(peerId, lane));
            if (ch != null) {
                ch.close();
            }
        }
    }

    /** True when our lane to the peer has completed its handshake and is open. */
    public boolean isConnected(String peerId, Lane lane) {
        EnumMap<Lane, OutboundLane> lanes = outbound.get(peerId);
        return lanes != null && lanes.get(lane).isConnected();
    }

    /** Frames waiting in the queue of our lane to the peer. */
    public int queuedFrames(String peerId, Lane lane) {
        EnumMap<Lane, OutboundLane> lanes = outbound.get(peerId);
        return lanes == null ? 0 : lanes.get(lane).queuedFrames();
    }

    /** The bound peer address (useful with port 0). */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public synchronized void close() {
        closed = true;
        outbound.values().forEach(lanes -> lanes.values().forEach(OutboundLane::close));
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        inbound.values().forEach(Channel::close);
    }

    /** @return why the hello is unacceptable, or null to accept it */
    String validate(Handshake hello) {
        if (!hello.clusterId().equals(config.clusterId())) {
            return "wrong cluster id '" + hello.clusterId() + "' (this is '" + config.clusterId() + "')";
        }
        if (!hello.toNodeId().equals(config.selfId())) {
            return "this is node " + config.selfId() + ", not " + hello.toNodeId();
        }
        if (!peerAddresses.containsKey(hello.fromNodeId())) {
            return "unknown node id '" + hello.fromNodeId() + "'";
        }
        return null;
    }

    /** A newer connection from the same peer and lane replaces (closes) the older one. */
    void registerInbound(String peerId, Lane lane, Channel ch) {
        Channel previous = inbound.put(inboundKey(peerId, lane), ch);
        if (previous != null && previous != ch) {
            previous.close();
        }
        if (closed || !peerAddresses.containsKey(peerId)) {
            ch.close();
        }
    }

    void unregisterInbound(String peerId, Lane lane, Channel ch) {
        inbound.remove(inboundKey(peerId, lane), ch);
    }

    /** The event loop an inbound lane should run on, or null to stay where it was accepted. */
    EventLoop inboundLoopFor(Lane lane) {
        return lane == Lane.SNAPSHOT && loops.bulk() != loops.io() ? loops.bulk().next() : null;
    }

    TransportConfig config() {
        return config;
    }

    TransportMetrics metrics() {
        return metrics;
    }

    FrameHandler handler() {
        return handler;
    }

    private static String inboundKey(String peerId, Lane lane) {
        return peerId + "/" + lane.label();
    }
}
