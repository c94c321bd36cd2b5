package leasekv.metrics;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import leasekv.netty.EventLoops;

import java.net.InetSocketAddress;

/**
 * Serves {@code GET /metrics} (Prometheus text format 0.0.4) over HTTP/1.1 on the shared io event loops.
 * Anything else gets 404 (other paths) or 405 (other methods). Scrapes are rare and small, so the
 * exposition is built on the event loop thread.
 */
public final class MetricsHttpServer implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    private static final int IDLE_TIMEOUT_SECONDS = 60;

    private final MetricsRegistry registry;
    private final InetSocketAddress bindAddress;
    private final EventLoops loops;
    private Channel serverChannel;

    public MetricsHttpServer(MetricsRegistry registry, InetSocketAddress bindAddress, EventLoops loops) {
        this.registry = registry;
        this.bindAddress = bindAddress;
        this.loops = loops;
    }

    /** Binds the listening socket; throws if the address is taken. */
    public synchronized MetricsHttpServer start() throws InterruptedException {
        if (serverChannel != null) {
            throw new IllegalStateException("metrics server already started");
        }
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.io())
                .channel(loops.serverChannelClass())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(IDLE_TIMEOUT_SECONDS),
                                new HttpServerCodec(), new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new MetricsRequestHandler());
                    }
                });
        serverChannel = bootstrap.bind(bindAddress).sync().channel();
        return this;
    }

    /** The bound address (useful with port 0). */
    public InetSocketAddress boundAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public synchronized void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
    }

    private final class MetricsRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            FullHttpResponse response = respond(ctx, request);
            boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
            HttpUtil.setContentLength(response, response.content().readableBytes());
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        private FullHttpResponse respond(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.decoderResult().isSuccess()) {
                return text(ctx, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request\n");
            }
            String path = new QueryStringDecoder(request.uri()).path();
            if (!path.equals("/metrics")) {
                return text(ctx, HttpResponseStatus.NOT_FOUND, "only /metrics is served here\n");
            }
            if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                FullHttpResponse response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET\n");
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                return response;
            }
            FullHttpResponse response = text(ctx, HttpResponseStatus.OK, registry.scrape());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, Exposition.CONTENT_TYPE);
            if (request.method().equals(HttpMethod.HEAD)) {
                response.content().clear();
            }
            return response;
        }

        private FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body) {
            ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            return response;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // idle timeout or a reset by the scraper: nothing to report back
        }
    }
}
