package leasekv.transport;

import leasekv.netty.EventLoops;
import leasekv.metrics.MetricsRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class PeerTransportTest {
    /** One received frame and the thread it was delivered on. */
    record Received(String from, Lane lane, byte[] frame, String thread) {
        int number() {
            return ByteBuffer.wrap(frame).getInt();
        }
    }

    /** A node of the test: its own event loops (as a separate process would have), registry and inbox. */
    final class Node {
        final String id;
        final EventLoops loops = EventLoops.create(2, 1);
        final MetricsRegistry registry = new MetricsRegistry();
        final List<Received> inbox = new CopyOnWriteArrayList<>();
        volatile long snapshotHandlerDelayMillis;
        PeerTransport transport;

        Node(String id) {
            this.id = id;
            nodes.add(this);
        }

        Node start(String clusterId, int port, Map<String, InetSocketAddress> peers) throws InterruptedException {
            return start(TransportConfig.defaults(clusterId, id, new InetSocketAddress("127.0.0.1", port), peers));
        }

        Node start(TransportConfig config) throws InterruptedException {
            TransportConfig fast = config.withTiming(Duration.ofMillis(500), Duration.ofMillis(20),
                    Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(1000));
            transport = new PeerTransport(fast, loops, registry, this::receive).start();
            return this;
        }

        private void receive(String from, Lane lane, byte[] frame) {
            inbox.add(new Received(from, lane, frame, Thread.currentThread().getName()));
            if (lane == Lane.SNAPSHOT && snapshotHandlerDelayMillis > 0) {
                try {
                    Thread.sleep(snapshotHandlerDelayMillis); // a slow consumer, blocking its own thread
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        int port() {
            return transport.boundAddress().getPort();
        }

        List<Received> received(Lane lane) {
            List<Received> out = new ArrayList<>();
            for (Received r : inbox) {
                if (r.lane() == lane) {
                    out.add(r);
                }
            }
            return out;
        }

        long counter(String name, Lane lane) {
            return registry.labelledCounter(name, "h", "lane").labels(lane.label()).value();
        }

        void stop() {
            if (transport != null) {
                transport.close();
                transport = null;
                loops.close();
            }
        }
    }

    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void stopAll() {
        nodes.forEach(Node::stop);
    }

    private static byte[] numbered(int n, int size) {
        return ByteBuffer.allocate(Math.max(4, size)).putInt(n).array();
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Two nodes that know each other, both listening. */
    private Node[] pair(String clusterA, String clusterB) throws Exception {
        int portA = freePort();
        int portB = freePort();
        Map<String, InetSocketAddress> peers = Map.of("n1", local(portA), "n2", local(portB));
        return new Node[]{new Node("n1").start(clusterA, portA, peers), new Node("n2").start(clusterB, portB, peers)};
    }

    @Test
    void framesFlowInOrderOnEveryLaneInBothDirections() throws Exception {
        Node[] n = pair("c", "c");
        int perLane = 60; // within the snapshot lane's default queue of 64 frames
        for (int i = 0; i < perLane; i++) {
            for (Lane lane : Lane.values()) {
                assertTrue(n[0].transport.send("n2", lane, numbered(i, 100 + i)));
                assertTrue(n[1].transport.send("n1", lane, numbered(i, 10)));
            }
        }
        await("all frames", 10_000, () -> n[1].inbox.size() == 3 * perLane && n[0].inbox.size() == 3 * perLane);
        // "sent" is counted when the write completes, which may trail the peer's receipt on a busy machine
        await("sends counted", 10_000, () -> Arrays.stream(Lane.values())
                .allMatch(lane -> n[0].counter("leasekv_transport_sent_total", lane) == perLane));
        for (Lane lane : Lane.values()) {
            List<Received> got = n[1].received(lane);
            for (int i = 0; i < perLane; i++) {
                assertEquals(i, got.get(i).number(), lane + " frame " + i);
                assertEquals("n1", got.get(i).from());
                assertEquals(100 + i, got.get(i).frame().length);
            }
            assertEquals(perLane, n[0].counter("leasekv_transport_sent_total", lane));
            assertEquals(perLane, n[1].counter("leasekv_transport_received_total", lane));
            assertEquals(0, n[0].counter("leasekv_transport_dropped_total", lane));
        }
        assertTrue(n[1].received(Lane.SNAPSHOT).get(0).thread().startsWith("leasekv-bulk"),
                "snapshot frames are received on the bulk loop");
        assertTrue(n[1].received(Lane.CONTROL).get(0).thread().startsWith("leasekv-io"));
    }

    @Test
    void aConnectionWithTheWrongClusterIdIsRejected() throws Exception {
        Node[] n = pair("cluster-a", "cluster-b");
        n[0].transport.send("n2", Lane.CONTROL, numbered(1, 4));
        MetricsRegistry bRegistry = n[1].registry;
        await("a rejected handshake", 5000,
                () -> bRegistry.counter("leasekv_transport_rejected_connections_total", "h").value() >= 1);
        Thread.sleep(300);
        assertTrue(n[1].inbox.isEmpty(), "nothing is delivered from another cluster");
        assertFalse(n[0].transport.isConnected("n2", Lane.CONTROL));
        assertEquals(1, n[0].transport.queuedFrames("n2", Lane.CONTROL), "the frame waits, it is not sent");
    }

    @Test
    void aConnectionFromAnUnknownNodeIsRejected() throws Exception {
        int portB = freePort();
        Node b = new Node("n2").start("c", portB, Map.of("n2", local(portB), "n1", local(freePort())));
        Node stranger = new Node("n9").start("c", 0, Map.of("n2", local(portB)));
        stranger.transport.send("n2", Lane.REPLICATION, numbered(7, 4));
        await("a rejected handshake", 5000,
                () -> b.registry.counter("leasekv_transport_rejected_connections_total", "h").value() >= 1);
        assertTrue(b.inbox.isEmpty());
    }

    @Test
    void aSnapshotFloodDoesNotHoldBackControlFrames() throws Exception {
        Node[] n = pair("c", "c");
        n[1].snapshotHandlerDelayMillis = 25; // the receiver consumes 1 MiB chunks slowly: ~1 s for all of them
        int chunks = 40;
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunks; i++) {
            ByteBuffer.wrap(chunk).putInt(0, i);
            assertTrue(n[0].transport.send("n2", Lane.SNAPSHOT, chunk.clone()));
        }
        await("the snapshot transfer to start", 5000, () -> !n[1].received(Lane.SNAPSHOT).isEmpty());
        int controlFrames = 50;
        for (int i = 0; i < controlFrames; i++) {
            assertTrue(n[0].transport.send("n2", Lane.CONTROL, numbered(i, 16)));
        }
        await("control frames", 5000, () -> n[1].received(Lane.CONTROL).size() == controlFrames);
        int snapshotChunksSoFar = n[1].received(Lane.SNAPSHOT).size();
        assertTrue(snapshotChunksSoFar < chunks, "all " + controlFrames + " control frames arrived while the "
                + "snapshot was still in flight (" + snapshotChunksSoFar + "/" + chunks + " chunks delivered)");
        await("the whole snapshot", 20_000, () -> n[1].received(Lane.SNAPSHOT).size() == chunks);
        for (int i = 0; i < chunks; i++) {
            assertEquals(i, n[1].received(Lane.SNAPSHOT).get(i).number());
        }
    }

    @Test
    void aFullQueueDropsAndCountsPerLane() throws Exception {
        int deadPort = freePort();
        int ownPort = freePort();
        TransportConfig config = TransportConfig.defaults("c", "n1", local(ownPort), Map.of("n2", local(deadPort)))
                .withLaneLimits(Lane.CONTROL, new LaneLimits(64, 10, 10 * 64, 1024));
        Node a = new Node("n1").start(config);
        int accepted = 0;
        for (int i = 0; i < 25; i++) {
            if (a.transport.send("n2", Lane.CONTROL, numbered(i, 8))) {
                accepted++;
            }
        }
        assertEquals(10, accepted);
        assertFalse(a.transport.send("n2", Lane.CONTROL, new byte[65]), "over the frame limit");
        assertFalse(a.transport.send("n3", Lane.CONTROL, new byte[1]), "unknown peer");
        assertEquals(17, a.counter("leasekv_transport_dropped_total", Lane.CONTROL));
        assertEquals(0, a.counter("leasekv_transport_dropped_total", Lane.REPLICATION));
        assertTrue(a.transport.send("n2", Lane.REPLICATION, numbered(1, 8)), "other lanes have their own queue");
        assertTrue(a.registry.scrape().contains("leasekv_transport_dropped_total{lane=\"control\"} 17\n"));
    }

    @Test
    void controlLanesAreDialledAtStartAndReachAPeerThatStartsLater() throws Exception {
        int portA = freePort();
        int portB = freePort();
        Map<String, InetSocketAddress> peers = Map.of("n1", local(portA), "n2", local(portB));
        Node a = new Node("n1").start("c", portA, peers);
        Thread.sleep(300); // n2 is not up yet: a's dials are refused and retried
        new Node("n2").start("c", portB, peers);
        // Nothing was sent: the control lanes connect by themselves, within a backoff period of n2's start.
        await("n1's control lane to n2", 2000, () -> a.transport.isConnected("n2", Lane.CONTROL));
        assertFalse(a.transport.isConnected("n2", Lane.REPLICATION), "other lanes still connect on first use");
    }

    @Test
    void reconnectsAndDeliversAfterThePeerRestarts() throws Exception {
        Node[] n = pair("c", "c");
        int portB = n[1].port();
        n[0].transport.send("n2", Lane.REPLICATION, "before".getBytes(StandardCharsets.UTF_8));
        await("first frame", 5000, () -> n[1].inbox.size() == 1);

        n[1].stop();
        await("the disconnection to be noticed", 5000, () -> !n[0].transport.isConnected("n2", Lane.REPLICATION));
        for (int i = 0; i < 5; i++) {
            assertTrue(n[0].transport.send("n2", Lane.REPLICATION, numbered(i, 8)), "queued while the peer is down");
        }
        Thread.sleep(300); // a few failed reconnect attempts

        Node restarted = new Node("n2").start("c", portB, Map.of("n1", local(n[0].port()), "n2", local(portB)));
        await("queued frames after the restart", 10_000, () -> restarted.inbox.size() == 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(i, restarted.inbox.get(i).number());
        }
        n[0].transport.send("n2", Lane.REPLICATION, numbered(99, 8));
        await("a frame on the new connection", 5000, () -> restarted.inbox.size() == 6);
        // And the restarted node reaches the old one too.
        restarted.transport.send("n1", Lane.CONTROL, numbered(5, 8));
        await("the reverse direction", 5000, () -> n[0].received(Lane.CONTROL).size() == 1);
    }
}
