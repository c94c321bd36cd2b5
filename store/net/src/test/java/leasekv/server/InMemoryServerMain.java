package leasekv.server;

import leasekv.metrics.MetricsHttpServer;
import leasekv.metrics.MetricsRegistry;
import leasekv.netty.EventLoops;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the RESP server on the in-memory backend, for redis-cli/redis-benchmark checks without Raft:
 * {@code java -cp <net jar + netty + HdrHistogram> leasekv.server.InMemoryServerMain [port] [metricsPort]}.
 * Runs until killed.
 */
public final class InMemoryServerMain {
    private InMemoryServerMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? parsePort(args[0]) : 6379;
        int metricsPort = args.length > 1 ? parsePort(args[1]) : 0;
        EventLoops loops = EventLoops.forTwoCores();
        RespServer server = new RespServer(RespServerConfig.defaults(new InetSocketAddress("127.0.0.1", port)),
                new InMemoryKvService("n1", "127.0.0.1:" + port, true), loops).start();
        MetricsHttpServer metrics = metricsPort == 0 ? null
                : new MetricsHttpServer(new MetricsRegistry(), new InetSocketAddress("127.0.0.1", metricsPort), loops).start();
        System.out.println("in-memory leasekv RESP server on " + server.boundAddress()
                + (loops.isEpoll() ? " (epoll)" : " (nio)"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (metrics != null) {
                metrics.close();
            }
            loops.close();
        }));
        new CountDownLatch(1).await();
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.err.println("not a port number: " + text);
        System.exit(2);
        return -1;
    }
}
