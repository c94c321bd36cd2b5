package leasekv.server;

import leasekv.netty.EventLoops;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replies stay in request order whatever order the backend completes in; backend errors are typed. */
class RespServerPipelineTest {
    private final EventLoops loops = EventLoops.create(2, 0);
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    private RespServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        timer.shutdownNow();
        loops.close();
    }

    private RespServer start(KvService service, int maxPendingReplies) throws InterruptedException {
        RespServerConfig d = RespServerConfig.defaults(new InetSocketAddress("127.0.0.1", 0));
        RespServerConfig config = new RespServerConfig(d.bindAddress(), d.maxKeyBytes(), d.maxValueBytes(),
                d.maxCommandBytes(), d.maxBulkBytes(), d.maxArguments(), d.maxInlineBytes(), maxPendingReplies);
        server = new RespServer(config, service, loops).start();
        return server;
    }

    /** Completes every GET after a random delay of 0-20 ms on another thread, so completions reorder. */
    private KvService shuffledDelays(KvService delegate) {
        return new ForwardingKvService(delegate) {
            @Override
            public CompletableFuture<byte[]> get(byte[] key) {
                CompletableFuture<byte[]> later = new CompletableFuture<>();
                long delayMicros = ThreadLocalRandom.current().nextLong(20_000);
                timer.schedule(() -> delegate.get(key).whenComplete((v, e) -> {
                    if (e != null) {
                        later.completeExceptionally(e);
                    } else {
                        later.complete(v);
                    }
                }), delayMicros, TimeUnit.MICROSECONDS);
                return later;
            }
        };
    }

    @Test
    void pipelinedRepliesComeBackInRequestOrderDespiteReorderedCompletion() throws Exception {
        InMemoryKvService memory = new InMemoryKvService("n1", "127.0.0.1:6379", false);
        int count = 2000;
        for (int i = 0; i < count; i++) {
            memory.write(null, new WriteCommand.Set(("k" + i).getBytes(StandardCharsets.UTF_8),
                    ("v" + i).getBytes(StandardCharsets.UTF_8)));
        }
        // A small pending limit also exercises the pause/resume of reading.
        start(shuffledDelays(memory), 16);
        try (RawRespSocket s = new RawRespSocket(server.boundAddress())) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < count; i++) {
                String key = "k" + i;
                batch.append("*2\r\n$3\r\nGET\r\n$").append(key.length()).append("\r\n").append(key).append("\r\n");
                if (i % 7 == 3) {
                    batch.append("*1\r\n$4\r\nPING\r\n"); // an immediate reply between slow ones
                }
            }
            s.send(batch.toString());
            for (int i = 0; i < count; i++) {
                assertEquals("v" + i, s.read(), "reply " + i);
                if (i % 7 == 3) {
                    assertEquals("PONG", s.read());
                }
            }
        }
    }

    @Test
    void typedBackendErrorsKeepTheirFirstWord() throws Exception {
        KvService failing = new ForwardingKvService(new InMemoryKvService("n1", "x:1", false)) {
            @Override
            public CompletableFuture<byte[]> get(byte[] key) {
                String k = new String(key, StandardCharsets.UTF_8);
                switch (k) {
                    case "follower": return CompletableFuture.failedFuture(KvException.notLeader("n2", "10.77.0.12:6379"));
                    case "lost": return CompletableFuture.failedFuture(KvException.notLeaderUnknown());
                    case "replaying": return CompletableFuture.failedFuture(new KvException(ErrorWord.NOTREADY, "replaying"));
                    case "bug": return CompletableFuture.failedFuture(new IllegalStateException("boom"));
                    case "thrown": throw new IllegalStateException("thrown synchronously");
                    default: return delegate.get(key);
                }
            }

            @Override
            public CompletableFuture<Long> write(RequestId id, WriteCommand command) {
                if (new String(command.key(), StandardCharsets.UTF_8).equals("bug")) {
                    return CompletableFuture.failedFuture(new IllegalStateException("boom"));
                }
                CompletableFuture<Long> late = new CompletableFuture<>();
                timer.schedule(() -> late.completeExceptionally(new KvException(ErrorWord.TIMEOUT,
                        "not committed within 1000 ms")), 5, TimeUnit.MILLISECONDS);
                return late;
            }
        };
        start(failing, 1024);
        try (RawRespSocket s = new RawRespSocket(server.boundAddress())) {
            assertEquals("NOTLEADER n2 10.77.0.12:6379", s.command("GET", "follower").readError());
            assertEquals("NOTLEADER unknown", s.command("GET", "lost").readError());
            assertEquals("NOTREADY replaying", s.command("GET", "replaying").readError());
            assertTrue(s.command("GET", "bug").readError().startsWith("ERR internal error"));
            assertTrue(s.command("GET", "thrown").readError().startsWith("ERR internal error"));
            assertTrue(s.command("SET", "bug", "v").readError().startsWith("UNCERTAIN internal error"),
                    "an untyped failure of a write must not claim it was not applied");
            assertEquals("TIMEOUT not committed within 1000 ms", s.command("SET", "k", "v").readError());
            assertEquals("PONG", s.command("PING").read());
        }
    }

    @Test
    void everyCommandOfTheContractAnswersInItsShape() throws Exception {
        start(new InMemoryKvService("n1", "127.0.0.1:6379", true), 1024);
        try (RawRespSocket s = new RawRespSocket(server.boundAddress())) {
            assertEquals("OK", s.command("SET", "k", "v").read());
            assertEquals(1L, s.command("CAS", "k", "v", "w").read());
            assertEquals(0L, s.command("CAS", "k", "v", "x").read());
            assertEquals(List.of("w", "n1", 1L, "lease", 3L), s.command("READ", "k").read());
            assertEquals(2L, s.command("RPUSH", "l", "a", "b").read());
            assertEquals(List.of("b"), s.command("LRANGE", "l", "-1", "-1").read());
            assertTrue(s.command("GET", "l").readError().startsWith("WRONGTYPE"));
            assertEquals(1L, s.command("DEL", "k").read());
            assertEquals(0L, s.command("DEL", "k").read());
            assertEquals(null, s.command("GET", "k").read());
            assertEquals(3L, s.command("REQ", "c1", "9", "RPUSH", "l", "c").read());
            assertEquals(3L, s.command("REQ", "c1", "9", "RPUSH", "l", "c").read(), "a duplicate REQ is not re-applied");
            assertEquals(List.of("a", "b", "c"), s.command("LRANGE", "l", "0", "-1").read());
            List<?> role = (List<?>) s.command("ROLE").read();
            assertEquals(List.of("leader", "n1"), role.subList(0, 2));
            assertEquals(7, role.size());
            assertTrue(((String) s.command("INFO").read()).contains("role:leader"));
            List<?> digest = (List<?>) s.command("ADMIN", "DIGEST").read();
            assertEquals(64, ((String) digest.get(1)).length());
            assertEquals(List.of("n1"), s.command("ADMIN", "MEMBERS").read());
            assertEquals("OK", s.command("ADMIN", "CLOCK", "RATE", "2.5").read());
            assertEquals("2.5", ((List<?>) s.command("ADMIN", "CLOCK").read()).get(0));
            assertEquals("OK", s.command("admin", "clock", "step", "100").read());
            assertEquals("OK", s.command("ADMIN", "CLOCK", "WALL-STEP", "-1500").read());
            assertEquals(-1_500_000_000L, ((List<?>) s.command("ADMIN", "CLOCK").read()).get(3),
                    "the wall clock's offset, in ns, is the fourth element");
            assertEquals("OK", s.command("ADMIN", "CLOCK", "RESET").read());
            assertEquals(0L, ((List<?>) s.command("ADMIN", "CLOCK").read()).get(3), "RESET puts the wall clock back");
            assertEquals("OK", s.command("ADMIN", "STALL-APPLY", "250").read());
            assertEquals("OK", s.command("ADMIN", "TRANSFER", "n1").read());
            assertTrue(s.command("ADMIN", "TRANSFER", "n2").readError().startsWith("TIMEOUT"));
            assertEquals(List.of("save", ""), s.command("CONFIG", "GET", "save").read());
        }
    }

    @Test
    void aClientThatNeverReadsStopsBeingServedInsteadOfGrowingServerMemory() throws Exception {
        InMemoryKvService memory = new InMemoryKvService("n1", "x:1", false);
        String value = "v".repeat(16 * 1024);
        memory.write(null, new WriteCommand.Set("big".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        start(new ForwardingKvService(memory) {
            @Override
            public CompletableFuture<byte[]> get(byte[] key) {
                served.incrementAndGet();
                return delegate.get(key);
            }
        }, 1024);
        int count = 8_000;
        byte[] gets = "*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n".repeat(count).getBytes(StandardCharsets.UTF_8);
        try (RawRespSocket greedy = new RawRespSocket(server.boundAddress())) {
            Thread writer = new Thread(() -> {
                try {
                    greedy.send(gets);
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            Thread.sleep(1000);
            // 8000 replies of 16 KiB are 128 MiB; the server must have stopped near its write high-water
            // mark (1 MiB) plus what the kernel buffers hold, not dispatched everything.
            assertTrue(served.get() < count / 4, "served " + served.get() + " GETs to a client that reads nothing");
            try (RawRespSocket other = new RawRespSocket(server.boundAddress())) {
                assertEquals("PONG", other.command("PING").read(), "others are still served meanwhile");
            }
            for (int i = 0; i < count; i++) {
                assertEquals(value, greedy.read());
            }
            writer.join(5000);
            assertEquals(count, served.get());
        }
    }
}
