package leasekv.delayproxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy that delays the bytes each client sends by the delay its source address has in the
 * {@link DelayRules} (and, for leasekv peer connections, their lane). Replies (target to client) pass without delay: the harness puts one proxy in
 * front of every node's peer port, and a leasekv node sends each Raft message on its own
 * connection to the receiver, so the proxy at node j delays exactly the messages i sends to j.
 */
final class DelayProxy implements AutoCloseable {
    private final InetSocketAddress listen;
    private final InetSocketAddress target;
    private final DelayRules rules;
    private final AtomicLong connections = new AtomicLong();
    private volatile boolean running = true;
    private ServerSocket server;

    DelayProxy(InetSocketAddress listen, InetSocketAddress target, DelayRules rules) {
        this.listen = listen;
        this.target = target;
        this.rules = rules;
    }

    /** Binds the listening socket; returns the bound address (port 0 picks a free one). */
    InetSocketAddress bind() throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen);
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Accepts connections until closed. */
    void serve() {
        while (running) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (running) Main.log("accept failed: " + e.getMessage());
                continue;
            }
            Thread t = new Thread(() -> connect(client), "connect-" + connections.incrementAndGet());
            t.setDaemon(true);
            t.start();
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        AtomicBoolean closed = new AtomicBoolean();
        Runnable closeBoth = () -> {
            if (closed.compareAndSet(false, true)) {
                quietClose(client);
                quietClose(upstream);
            }
        };
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(target, 5_000);
            var source = client.getInetAddress();
            // A peer sends its hello in one write as soon as it connects: the first chunk read
            // names the lane, before its own delay is computed.
            AtomicReference<String> lane = new AtomicReference<>();
            String name = "c" + connections.get() + "-" + source.getHostAddress();
            new DelayedPipe(client.getInputStream(), upstream.getOutputStream(),
                    () -> rules.delayMillisFor(source, lane.get()), closeBoth)
                    .onFirstChunk(first -> lane.set(LaneSniffer.laneOf(first)))
                    .start(name + "-up");
            new DelayedPipe(upstream.getInputStream(), client.getOutputStream(), () -> 0L, closeBoth)
                    .start(name + "-down");
        } catch (IOException e) {
            Main.log("cannot reach " + target + " for " + client.getRemoteSocketAddress() + ": " + e.getMessage());
            closeBoth.run();
        }
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        running = false;
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
