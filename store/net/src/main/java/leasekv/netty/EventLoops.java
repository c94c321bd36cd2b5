package leasekv.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.TimeUnit;

/**
 * The netty threads of one node, shared by the peer transport, the RESP server and the metrics endpoint.
 *
 * <p>Sizing for a 2-core machine: {@code io} has 2 threads (one per core) and serves every small-frame
 * connection: client RESP traffic, the control and replication lanes, HTTP scrapes. {@code bulk} has 1
 * thread and serves only snapshot lanes, so copying and decoding multi-megabyte snapshot chunks never
 * occupies a thread that a heartbeat is waiting for. Three netty threads plus the node's Raft loop,
 * WAL fsync and RocksDB threads is already more runnable threads than cores; more event loops would
 * only add context switches, because an event loop thread is either busy or parked in epoll_wait.
 *
 * <p>Uses native epoll when it loads (Linux), NIO otherwise. Threads are daemons so that a forgotten
 * group never keeps a JVM alive; the owner still closes it.
 */
public final class EventLoops implements AutoCloseable {
    private final EventLoopGroup io;
    private final EventLoopGroup bulk;
    private final boolean epoll;

    private EventLoops(EventLoopGroup io, EventLoopGroup bulk, boolean epoll) {
        this.io = io;
        this.bulk = bulk;
        this.epoll = epoll;
    }

    /** The default for the 2-core target machine: 2 io threads, 1 bulk (snapshot) thread. */
    public static EventLoops forTwoCores() {
        return create(2, 1);
    }

    /**
     * @param ioThreads   threads for clients, control and replication lanes and HTTP (at least 1)
     * @param bulkThreads threads for snapshot lanes; 0 shares the io threads (no isolation)
     */
    public static EventLoops create(int ioThreads, int bulkThreads) {
        if (ioThreads < 1 || bulkThreads < 0) {
            throw new IllegalArgumentException("ioThreads must be >= 1 and bulkThreads >= 0, got "
                    + ioThreads + " and " + bulkThreads);
        }
        boolean epoll = Epoll.isAvailable() && !Boolean.getBoolean("leasekv.net.forceNio");
        EventLoopGroup io = newGroup(ioThreads, "leasekv-io", epoll);
        EventLoopGroup bulk = bulkThreads == 0 ? io : newGroup(bulkThreads, "leasekv-bulk", epoll);
        return new EventLoops(io, bulk, epoll);
    }

    private static EventLoopGroup newGroup(int threads, String name, boolean epoll) {
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    /** Threads for latency-sensitive small messages. */
    public EventLoopGroup io() {
        return io;
    }

    /** Threads for snapshot lanes (equal to {@link #io()} when created with 0 bulk threads). */
    public EventLoopGroup bulk() {
        return bulk;
    }

    public boolean isEpoll() {
        return epoll;
    }

    public Class<? extends SocketChannel> socketChannelClass() {
        return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    public Class<? extends ServerChannel> serverChannelClass() {
        return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    @Override
    public void close() {
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        if (bulk != io) {
            bulk.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        io.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        bulk.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
