package leasekv.client;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaseKvClientTest {

    private static LeaseKvClient client(boolean pinned, int requestTimeoutMillis, int operationTimeoutMillis,
                                        String... nodes) {
        return LeaseKvClient.builder().nodes(List.of(nodes)).pinned(pinned).clientId("t-1")
                .requestTimeoutMillis(requestTimeoutMillis).operationTimeoutMillis(operationTimeoutMillis)
                .connectTimeoutMillis(200).build();
    }

    /** A port on which nothing listens (bound, then closed). */
    private static String deadAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    @Test
    void writesAreWrappedInReqWithIncreasingSeqAndReadsAreNot() throws IOException {
        try (FakeRespServer server = new FakeRespServer(cmd -> cmd.get(0).equals("GET") ? "$1\r\nv\r\n"
                : cmd.get(3).equals("SET") ? "+OK\r\n" : ":1\r\n");
             LeaseKvClient c = client(false, 1000, 3000, server.address())) {
            c.set("k", "v");
            assertTrue(c.cas("k", "v", "w"));
            assertEquals("v", c.get("k"));
            List<String> set = server.received.get(0);
            List<String> cas = server.received.get(1);
            assertEquals(List.of("REQ", "t-1"), set.subList(0, 2));
            assertEquals(List.of("SET", "k", "v"), set.subList(3, 6));
            assertEquals(List.of("CAS", "k", "v", "w"), cas.subList(3, 7));
            assertEquals(Long.parseLong(set.get(2)) + 1, Long.parseLong(cas.get(2)));
            assertEquals(List.of("GET", "k"), server.received.get(2));
        }
    }

    @Test
    void retriesAWriteAfterATimeoutWithTheSameSeq() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        try (FakeRespServer server = new FakeRespServer(cmd -> calls.incrementAndGet() == 1
                ? FakeRespServer.SILENCE : ":3\r\n");
             LeaseKvClient c = client(true, 150, 2000, server.address())) {
            assertEquals(3, c.rpush("l", "a", "b"));
            assertEquals(2, server.received.size());
            assertEquals(server.received.get(0), server.received.get(1));
            assertEquals(List.of("RPUSH", "l", "a", "b"), server.received.get(0).subList(3, 7));
            assertEquals(1, c.resendsOfLastOperation(), "the retry re-sent a write that may have been applied");
            assertEquals(3, c.rpush("l", "c"));
            assertEquals(0, c.resendsOfLastOperation(), "counted per operation");
        }
    }

    @Test
    void followsNotLeaderRedirectsWhenNotPinned() throws IOException {
        try (FakeRespServer leader = new FakeRespServer(cmd -> "+OK\r\n");
             FakeRespServer follower = new FakeRespServer(cmd -> "-NOTLEADER n2 " + leader.address() + "\r\n");
             LeaseKvClient c = client(false, 1000, 3000, follower.address())) {
            c.set("k", "v");
            assertEquals(1, follower.received.size());
            assertEquals(1, leader.received.size());
            assertEquals(0, c.resendsOfLastOperation(), "a redirect is not a re-send: nothing may have applied");
            assertEquals(follower.received.get(0), leader.received.get(0), "the redirected retry keeps its seq");
        }
    }

    @Test
    void pinnedClientTurnsNotLeaderIntoADefiniteFailure() throws IOException {
        try (FakeRespServer follower = new FakeRespServer(cmd -> "-NOTLEADER n2 127.0.0.1:1\r\n");
             LeaseKvClient c = client(true, 1000, 3000, follower.address())) {
            LeaseKvException e = assertThrows(DefiniteFailureException.class, () -> c.set("k", "v"));
            assertEquals("NOTLEADER", e.errorWord());
            assertTrue(e.isDefinite());
            assertEquals(1, follower.received.size());
        }
    }

    @Test
    void aTimedOutWriteStaysIndeterminateEvenIfALaterAttemptFailsDefinitely() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        try (FakeRespServer server = new FakeRespServer(cmd -> calls.incrementAndGet() == 1
                ? FakeRespServer.SILENCE : "-NOTLEADER n2 127.0.0.1:1\r\n");
             LeaseKvClient c = client(true, 150, 2000, server.address())) {
            LeaseKvException e = assertThrows(IndeterminateException.class, () -> c.del("k"));
            assertFalse(e.isDefinite());
            assertEquals(2, server.received.size());
            assertEquals(1, c.resendsOfLastOperation(), "counted also when the operation failed");
        }
    }

    @Test
    void triesTheNextNodeWhenTheFirstRefusesConnections() throws IOException {
        try (FakeRespServer live = new FakeRespServer(cmd -> "$-1\r\n");
             LeaseKvClient c = client(false, 1000, 3000, deadAddress(), live.address())) {
            assertNull(c.get("absent"));
            assertEquals(1, live.received.size());
        }
    }

    @Test
    void pinnedToADeadNodeFailsDefinitely() throws IOException {
        try (LeaseKvClient c = client(true, 500, 1000, deadAddress())) {
            LeaseKvException e = assertThrows(DefiniteFailureException.class, () -> c.set("k", "v"));
            assertNull(e.errorWord());
        }
    }

    @Test
    void errorWordsMapToDefiniteOrIndeterminateAsTheContractSays() throws IOException {
        for (String word : List.of("ERR", "TOOLARGE", "WRONGTYPE", "DISABLED", "NOTREADY", "BUSY", "NOTLEADER")) {
            try (FakeRespServer server = new FakeRespServer(cmd -> "-" + word + " details\r\n");
                 LeaseKvClient c = client(true, 200, 300, server.address())) {
                LeaseKvException e = assertThrows(LeaseKvException.class, () -> c.set("k", "v"), word);
                assertTrue(e.isDefinite(), word + " must be a definite failure");
                assertEquals(word, e.errorWord());
            }
        }
        for (String word : List.of("TIMEOUT", "UNCERTAIN")) {
            try (FakeRespServer server = new FakeRespServer(cmd -> "-" + word + " details\r\n");
                 LeaseKvClient c = client(true, 200, 300, server.address())) {
                LeaseKvException e = assertThrows(LeaseKvException.class, () -> c.set("k", "v"), word);
                assertFalse(e.isDefinite(), word + " must be indeterminate for a write");
                assertEquals(word, e.errorWord());
                assertTrue(server.received.size() >= 2, word + " is retried with the same seq");
                assertEquals(server.received.get(0), server.received.get(1));
            }
        }
    }

    @Test
    void nonIdempotentErrorsAreNotRetried() throws IOException {
        try (FakeRespServer server = new FakeRespServer(cmd -> "-WRONGTYPE Operation against a key\r\n");
             LeaseKvClient c = client(false, 500, 3000, server.address())) {
            assertThrows(DefiniteFailureException.class, () -> c.rpush("k", "x"));
            assertEquals(1, server.received.size());
        }
    }

    @Test
    void readsThatTimeOutFailDefinitely() throws IOException {
        try (FakeRespServer server = new FakeRespServer(cmd -> FakeRespServer.SILENCE);
             LeaseKvClient c = client(true, 100, 350, server.address())) {
            LeaseKvException e = assertThrows(LeaseKvException.class, () -> c.get("k"));
            assertTrue(e.isDefinite(), "a read has no effect, so its failure is definite");
        }
    }

    @Test
    void rawCommandsAreNeverResentAfterTheyMayHaveArrived() throws IOException {
        try (FakeRespServer server = new FakeRespServer(cmd -> FakeRespServer.SILENCE);
             LeaseKvClient c = client(false, 150, 3000, server.address())) {
            assertThrows(IndeterminateException.class, () -> c.command("ADMIN", "TRANSFER", "n2"));
            assertEquals(1, server.received.size());
        }
    }

    @Test
    void parsesReadAndRoleReplies() throws IOException {
        try (FakeRespServer server = new FakeRespServer(cmd -> cmd.get(0).equals("READ")
                ? "*5\r\n$1\r\nv\r\n$2\r\nn1\r\n:4\r\n$5\r\nlease\r\n:17\r\n"
                : "*7\r\n$8\r\nfollower\r\n$2\r\nn3\r\n:4\r\n$2\r\nn1\r\n$13\r\n10.0.0.1:6379\r\n:20\r\n:19\r\n");
             LeaseKvClient c = client(true, 1000, 3000, server.address())) {
            assertEquals(new ReadResult("v", "n1", 4, "lease", 17), c.read("k"));
            Role role = c.role();
            assertEquals(new Role("follower", "n3", 4, "n1", "10.0.0.1:6379", 20, 19), role);
            assertFalse(role.isLeader());
        }
    }

    @Test
    void builderRejectsBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> LeaseKvClient.builder().build());
        assertThrows(IllegalArgumentException.class, () -> LeaseKvClient.builder().nodes(List.of("x")).build());
        assertThrows(IllegalArgumentException.class, () -> LeaseKvClient.builder().requestTimeoutMillis(0));
        assertThrows(IllegalArgumentException.class, () -> LeaseKvClient.builder().clientId("a b"));
    }
}
