package leasekv.server;

import leasekv.netty.EventLoops;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed RESP, oversized input and unknown commands get an error reply; the server keeps serving. */
class RespServerBadInputTest {
    private static EventLoops loops;
    private static RespServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        loops = EventLoops.create(2, 0);
        server = new RespServer(RespServerConfig.defaults(new InetSocketAddress("127.0.0.1", 0)),
                new InMemoryKvService("n1", "127.0.0.1:6379", false), loops).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        loops.close();
    }

    private static RawRespSocket connect() throws IOException {
        return new RawRespSocket(server.boundAddress());
    }

    /** The server still answers on the same connection (keepsConnection) and on a fresh one. */
    private static void assertStillServing(RawRespSocket sameConnection) throws IOException {
        if (sameConnection != null) {
            assertEquals("PONG", sameConnection.command("PING").read());
        }
        try (RawRespSocket fresh = connect()) {
            assertEquals("PONG", fresh.command("PING").read());
        }
    }

    /** Sends bytes on a fresh connection: the server answers one error starting with errorPrefix, then closes. */
    private static void assertAnsweredAndClosed(String bytes, String errorPrefix) throws IOException {
        try (RawRespSocket s = connect()) {
            s.send(bytes);
            String error = s.readError();
            assertTrue(error.startsWith(errorPrefix), bytes + " -> " + error);
            assertTrue(s.closedByServer(), bytes);
        }
    }

    @Test
    void unknownCommandAndWrongArityAreErrorsAndTheConnectionStays() throws IOException {
        try (RawRespSocket s = connect()) {
            assertEquals("ERR unknown command 'FLUSHALL'", s.command("FLUSHALL").readError());
            assertEquals("ERR wrong number of arguments for 'get' command", s.command("GET").readError());
            assertEquals("ERR wrong number of arguments for 'set' command", s.command("SET", "k").readError());
            assertEquals("ERR wrong number of arguments for 'cas' command", s.command("CAS", "k", "a").readError());
            assertEquals("ERR value is not an integer or out of range",
                    s.command("LRANGE", "k", "0", "x").readError());
            assertTrue(s.command("REQ", "c", "0", "SET", "k", "v").readError().startsWith("ERR REQ seq"));
            assertTrue(s.command("REQ", "c", "1", "GET", "k").readError().startsWith("ERR REQ wraps only"));
            assertTrue(s.command("ADMIN", "NOPE").readError().startsWith("ERR unknown ADMIN subcommand"));
            assertTrue(s.command("ADMIN", "CLOCK", "RATE", "-1").readError().startsWith("ERR ADMIN CLOCK RATE"));
            assertEquals("ERR ADMIN STALL-APPLY takes milliseconds >= 0, got -5",
                    s.command("ADMIN", "STALL-APPLY", "-5").readError());
            assertEquals("ERR value is not an integer or out of range",
                    s.command("ADMIN", "CLOCK", "WALL-STEP", "soon").readError());
            assertTrue(s.command("ADMIN", "CLOCK", "WALL-STEP").readError().startsWith("ERR wrong number"));
            assertTrue(s.command("ADMIN", "TRANSFER", "n2").readError().startsWith("DISABLED"));
            assertEquals("ERR unknown command 'x  y'", s.command("x\r\ny").readError(), "CRLF never leaks into a reply");
            assertStillServing(s);
        }
    }

    @Test
    void oversizedKeysAndValuesAreTooLargeAndTheConnectionStays() throws IOException {
        String bigKey = "k".repeat(64 * 1024 + 1);
        String maxValue = "v".repeat(1024 * 1024);
        String bigValue = maxValue + "v";
        try (RawRespSocket s = connect()) {
            assertEquals("TOOLARGE key is 65537 bytes, the limit is 65536", s.command("GET", bigKey).readError());
            assertEquals("TOOLARGE value is 1048577 bytes, the limit is 1048576",
                    s.command("SET", "k", bigValue).readError());
            assertEquals("OK", s.command("SET", "k", maxValue).read());
            assertEquals(maxValue, s.command("GET", "k").read());
            assertTrue(s.command("RPUSH", "l", "a", bigValue).readError().startsWith("TOOLARGE"));
            assertStillServing(s);
        }
    }

    @Test
    void aCommandOverTheCommandLimitIsDiscardedWithoutClosing() throws IOException {
        String fiveMiB = "x".repeat(5 * 1024 * 1024);
        String oneMiB = "y".repeat(1024 * 1024);
        try (RawRespSocket s = connect()) {
            assertEquals("TOOLARGE command is more than 4194304 bytes", s.command("SET", "k", fiveMiB).readError());
            assertEquals("TOOLARGE value is 2097152 bytes, the limit is 1048576",
                    s.command("SET", "k", oneMiB + oneMiB).readError());
            // Five 1 MiB values pass the value limit but not the 4 MiB command limit.
            assertEquals("TOOLARGE command is more than 4194304 bytes",
                    s.command("RPUSH", "l", oneMiB, oneMiB, oneMiB, oneMiB, oneMiB).readError());
            assertEquals(0L, s.command("DEL", "l").read(), "nothing of the oversized RPUSH was applied");
            assertStillServing(s);
        }
    }

    @Test
    void aBulkBeyondTheFramingLimitIsAnsweredAndClosedBeforeAnyAllocation() throws IOException {
        try (RawRespSocket s = connect()) {
            s.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$500000000\r\n");
            assertEquals("TOOLARGE Protocol error: bulk string of 500000000 bytes, the limit is 16777216",
                    s.readError());
            assertTrue(s.closedByServer());
        }
        assertStillServing(null);
    }

    @Test
    void aBulkBeyondWhatAnyDecoderTakesIsTooLargeAsWell() throws IOException {
        // 512 MiB was netty's own bulk limit, which answered "-ERR Protocol error: length ..." instead.
        for (String length : List.of("600000000", "99999999999999999999")) {
            assertAnsweredAndClosed("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + length + "\r\n",
                    "TOOLARGE Protocol error: bulk string of " + length + " bytes, the limit is 16777216");
        }
        assertStillServing(null);
    }

    @Test
    void anArrayBeyondTheArgumentLimitIsAnsweredAndClosed() throws IOException {
        for (String count : List.of("2000000000", "99999999999999999999")) {
            assertAnsweredAndClosed("*" + count + "\r\n", "TOOLARGE Protocol error: command has " + count + " arguments");
        }
        assertStillServing(null);
    }

    @Test
    void badLengthsAreProtocolErrorsAfterTheRepliesToEarlierCommands() throws IOException {
        try (RawRespSocket s = connect()) {
            s.send("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$abc\r\n");
            assertEquals("PONG", s.read(), "the command before the bad bytes is answered first");
            assertTrue(s.readError().startsWith("ERR Protocol error"));
            assertTrue(s.closedByServer());
        }
        try (RawRespSocket s = connect()) {
            s.send("*1\r\n$-7\r\n");
            assertTrue(s.readError().startsWith("ERR Protocol error"));
            assertTrue(s.closedByServer());
        }
        assertStillServing(null);
    }

    @Test
    void wrongElementTypesAreProtocolErrors() throws IOException {
        for (String bad : List.of("*1\r\n:5\r\n", ":5\r\n", "+OK\r\n", "*2\r\n$3\r\nGET\r\n*1\r\n$1\r\nk\r\n",
                "*1\r\n$-1\r\n", "*1\r\nGET\r\n", "*1\r\n$3\r\nGETXY")) {
            assertAnsweredAndClosed(bad, "ERR Protocol error");
        }
        assertStillServing(null);
    }

    @Test
    void anUnterminatedLengthLineIsCutOff() throws IOException {
        try (RawRespSocket s = connect()) {
            byte[] digits = new byte[400 * 1024];
            Arrays.fill(digits, (byte) '7');
            s.send("*");
            try {
                s.send(digits);
            } catch (IOException e) {
                // the server may close before we finish writing
            }
            assertTrue(s.readError().startsWith("ERR Protocol error"));
            assertTrue(s.closedByServer());
        }
        assertStillServing(null);
    }

    @Test
    void anOverlongInlineCommandIsCutOff() throws IOException {
        try (RawRespSocket s = connect()) {
            try {
                s.send("PING " + "a".repeat(100 * 1024));
            } catch (IOException e) {
                // the server may close before we finish writing
            }
            assertTrue(s.readError().startsWith("ERR Protocol error"));
            assertTrue(s.closedByServer());
        }
        assertStillServing(null);
    }

    @Test
    void inlineCommandsAndEmptyArraysWork() throws IOException {
        try (RawRespSocket s = connect()) {
            assertEquals("PONG", s.send("PING\r\n").read());
            assertEquals("OK", s.send("set inline-key  value1\r\n").read());
            assertEquals("value1", s.command("GET", "inline-key").read());
            s.send("*0\r\n\r\n");   // ignored, as Redis does
            assertEquals("PONG", s.command("PING").read());
            assertEquals("hello", s.command("PING", "hello").read());
        }
    }

    @Test
    void inlineCommandsMayEndWithLfAloneAsInRedis() throws IOException {
        try (RawRespSocket s = connect()) {
            assertEquals("PONG", s.send("PING\n").read());
            assertEquals("OK", s.send("set lf-key \t value2\n").read());
            assertEquals("value2", s.send("GET lf-key\r\n").read());
            s.send("\n\r\n   \n"); // empty lines are skipped, as Redis does
            assertEquals("PONG", s.send("PING\r\nPING\n").read());
            assertEquals("PONG", s.read());
            // Redis splits inline words on every C isspace byte, a CR inside the line included.
            assertEquals("X", s.send("PING\rX\n").read());
            assertStillServing(s);
        }
    }

    @Test
    void arrayCommandsStillNeedCrlf() throws IOException {
        for (String bad : List.of("*1\n$4\r\nPING\r\n", "*1\r\n$4\nPING\r\n", "*1\r\n$4\r\nPING\nX")) {
            assertAnsweredAndClosed(bad, "ERR Protocol error");
        }
        assertStillServing(null);
    }

    @Test
    void binarySafeKeysValuesAndEmptyStrings() throws IOException {
        try (RawRespSocket s = connect()) {
            assertEquals("OK", s.command("SET", "", "").read());
            assertEquals("", s.command("GET", "").read());
            assertEquals("OK", s.command("SET", "bk", "a\r\nb\u0000c").read());
            assertEquals("a\r\nb\u0000c", s.command("GET", "bk").read());
        }
    }

    @Test
    void sharedReplyConstantsSurviveBeingWrittenManyTimes() throws IOException {
        try (RawRespSocket s = connect()) {
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of(), s.command("LRANGE", "absent-list", "0", "-1").read());
                assertEquals(null, s.command("GET", "absent-key").read());
                assertEquals(0L, s.command("DEL", "absent-key").read());
                assertEquals("PONG", s.command("PING").read());
            }
        }
    }

    @Test
    void quitAnswersOkAndCloses() throws IOException {
        try (RawRespSocket s = connect()) {
            s.command("SET", "q", "1").command("QUIT").command("SET", "q", "2");
            assertEquals("OK", s.read());
            assertEquals("OK", s.read());
            assertTrue(s.closedByServer());
        }
        try (RawRespSocket s = connect()) {
            assertEquals("1", s.command("GET", "q").read(), "nothing after QUIT is executed");
        }
    }

    @Test
    void theServerKeepsAllOtherConnectionsWhileOneMisbehaves() throws IOException {
        try (RawRespSocket good = connect(); RawRespSocket bad = connect()) {
            assertEquals("OK", good.command("SET", "g", "1").read());
            bad.send("*1\r\n$x\r\n");
            assertTrue(bad.readError().startsWith("ERR Protocol error"));
            assertFalse(good.closedByServerWithin(100));
            assertEquals("1", good.command("GET", "g").read());
        }
    }
}
