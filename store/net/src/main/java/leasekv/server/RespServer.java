package leasekv.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import leasekv.netty.EventLoops;

import java.net.InetSocketAddress;

/**
 * The client-facing RESP server (redis-cli, redis-benchmark, Jedis, leasekv.client) on the shared io
 * event loops. Pipeline per connection: {@link RespRequestDecoder} → {@link RespConnectionHandler}, and
 * netty's {@link RedisEncoder} outbound.
 */
public final class RespServer implements AutoCloseable {
    private final RespServerConfig config;
    private final KvService service;
    private final EventLoops loops;
    private final ChannelGroup connections = new DefaultChannelGroup("leasekv-resp", GlobalEventExecutor.INSTANCE);
    private Channel serverChannel;

    public RespServer(RespServerConfig config, KvService service, EventLoops loops) {
        this.config = config;
        this.service = service;
        this.loops = loops;
    }

    /** Binds the listening socket; throws if the address is taken. */
    public synchronized RespServer start() throws InterruptedException {
        if (serverChannel != null) {
            throw new IllegalStateException("RESP server already started");
        }
        CommandDispatcher dispatcher = new CommandDispatcher(service, config);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.io())
                .channel(loops.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true) // rebind right after a restart
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        initPipeline(ch.pipeline(), dispatcher);
                    }
                });
        serverChannel = bootstrap.bind(config.bindAddress()).sync().channel();
        return this;
    }

    private void initPipeline(ChannelPipeline pipeline, CommandDispatcher dispatcher) {
        pipeline.addLast("decoder", new RespRequestDecoder(config));
        pipeline.addLast("encoder", new RedisEncoder());
        pipeline.addLast("handler", new RespConnectionHandler(dispatcher, config.maxPendingReplies()));
    }

    /** The bound address (useful with port 0). */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Number of open client connections. */
    public int connectionCount() {
        return connections.size();
    }

    /** Stops listening and closes every client connection. */
    @Override
    public synchronized void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
            connections.close().awaitUninterruptibly();
        }
    }
}
