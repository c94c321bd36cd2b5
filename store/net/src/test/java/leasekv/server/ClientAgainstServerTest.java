package leasekv.server;

import leasekv.client.DefiniteFailureException;
import leasekv.client.IndeterminateException;
import leasekv.client.LeaseKvClient;
import leasekv.client.LeaseKvException;
import leasekv.client.ReadResult;
import leasekv.netty.EventLoops;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java client (module client) against the real RESP server with the in-memory backend. */
class ClientAgainstServerTest {
    private final EventLoops loops = EventLoops.create(2, 0);
    private final List<RespServer> servers = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(RespServer::close);
        loops.close();
    }

    private String start(KvService service) throws InterruptedException {
        RespServer server = new RespServer(RespServerConfig.defaults(new InetSocketAddress("127.0.0.1", 0)),
                service, loops).start();
        servers.add(server);
        return "127.0.0.1:" + server.boundAddress().getPort();
    }

    @Test
    void everyClientOperationWorksEndToEnd() throws Exception {
        String address = start(new InMemoryKvService("n1", "127.0.0.1:6379", false));
        try (LeaseKvClient c = LeaseKvClient.builder().nodes(List.of(address)).clientId("h-1").build()) {
            assertNull(c.get("k"));
            c.set("k", "v\u00e9");
            assertEquals("v\u00e9", c.get("k"));
            assertTrue(c.cas("k", "v\u00e9", "w"));
            assertFalse(c.cas("k", "v\u00e9", "x"));
            ReadResult r = c.read("k");
            assertEquals("w", r.value());
            assertEquals("n1", r.servedBy());
            assertEquals("lease", r.readMode());
            assertEquals(3, c.rpush("l", "a", "b", "c"));
            assertEquals(List.of("b", "c"), c.lrange("l", 1, -1));
            assertEquals(1, c.del("k"));
            assertEquals(0, c.del("k"));
            assertTrue(c.role().isLeader());
            assertTrue(c.info().contains("node_id:n1"));
            assertEquals(List.of("n1"), c.command("ADMIN", "MEMBERS"));
            LeaseKvException e = assertThrows(DefiniteFailureException.class, () -> c.get("l"));
            assertEquals("WRONGTYPE", e.errorWord());
            e = assertThrows(DefiniteFailureException.class, () -> c.set("big", "x".repeat(1024 * 1024 + 1)));
            assertEquals("TOOLARGE", e.errorWord());
        }
    }

    @Test
    void followsARedirectFromAFollowerToTheLeader() throws Exception {
        String leader = start(new InMemoryKvService("n1", "unused", false));
        String follower = start(new ForwardingKvService(new InMemoryKvService("n2", "unused", false)) {
            @Override
            public CompletableFuture<Long> write(RequestId id, WriteCommand command) {
                return CompletableFuture.failedFuture(KvException.notLeader("n1", leader));
            }
        });
        try (LeaseKvClient c = LeaseKvClient.builder().nodes(List.of(follower, leader)).build();
             LeaseKvClient pinned = LeaseKvClient.builder().nodes(List.of(follower)).pinned(true).build()) {
            c.set("k", "v");
            assertEquals("v", LeaseKvClient.builder().nodes(List.of(leader)).build().get("k"));
            LeaseKvException e = assertThrows(DefiniteFailureException.class, () -> pinned.set("k", "w"));
            assertEquals("NOTLEADER", e.errorWord());
        }
    }

    @Test
    void aWriteRetriedAfterATimeoutIsAppliedExactlyOnce() throws Exception {
        InMemoryKvService memory = new InMemoryKvService("n1", "x:1", false);
        AtomicInteger attempts = new AtomicInteger();
        // The first attempt is applied but its reply is lost (the future never completes): the client
        // times out and retries with the same seq, and the de-duplication answers without re-applying.
        String address = start(new ForwardingKvService(memory) {
            @Override
            public CompletableFuture<Long> write(RequestId id, WriteCommand command) {
                CompletableFuture<Long> applied = delegate.write(id, command);
                return attempts.incrementAndGet() == 1 ? new CompletableFuture<>() : applied;
            }
        });
        try (LeaseKvClient c = LeaseKvClient.builder().nodes(List.of(address)).requestTimeoutMillis(200)
                .operationTimeoutMillis(3000).build()) {
            assertEquals(1, c.rpush("l", "once"));
            assertEquals(2, attempts.get());
            assertEquals(List.of("once"), c.lrange("l", 0, -1));
        }
    }

    @Test
    void aWriteThatNeverGetsAnAnswerIsIndeterminate() throws Exception {
        String address = start(new ForwardingKvService(new InMemoryKvService("n1", "x:1", false)) {
            @Override
            public CompletableFuture<Long> write(RequestId id, WriteCommand command) {
                return new CompletableFuture<>();
            }
        });
        try (LeaseKvClient c = LeaseKvClient.builder().nodes(List.of(address)).requestTimeoutMillis(100)
                .operationTimeoutMillis(400).build()) {
            assertThrows(IndeterminateException.class, () -> c.set("k", "v"));
            assertNull(c.get("k"), "reads still work on a fresh connection");
        }
    }

    @Test
    void reqDeduplicationIsPerClientId() throws Exception {
        InMemoryKvService memory = new InMemoryKvService("n1", "x:1", false);
        String address = start(memory);
        try (LeaseKvClient a = LeaseKvClient.builder().nodes(List.of(address)).clientId("a").build();
             LeaseKvClient b = LeaseKvClient.builder().nodes(List.of(address)).clientId("b").build()) {
            a.rpush("l", "1");
            b.rpush("l", "2");
            a.rpush("l", "3");
            assertEquals(List.of("1", "2", "3"), a.lrange("l", 0, -1));
        }
        assertEquals(3, memory.lrange("l".getBytes(StandardCharsets.UTF_8), 0, -1).get().size());
    }
}
