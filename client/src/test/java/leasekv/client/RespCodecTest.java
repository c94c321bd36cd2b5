package leasekv.client;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespCodecTest {

    private static Object decode(String wire) throws IOException {
        return RespConnection.readReply(new ByteArrayInputStream(wire.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void encodesCommandsAsArraysOfBulkStringsWithByteLengths() {
        byte[] wire = RespConnection.encode(List.of("SET", "k", "h\u00e9"));
        assertArrayEquals("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nh\u00e9\r\n".getBytes(StandardCharsets.UTF_8), wire);
        assertArrayEquals("*1\r\n$0\r\n\r\n".getBytes(StandardCharsets.UTF_8), RespConnection.encode(List.of("")));
    }

    @Test
    void decodesEveryReplyType() throws IOException {
        assertEquals("OK", decode("+OK\r\n"));
        assertEquals(-42L, decode(":-42\r\n"));
        assertEquals("a\r\nb", decode("$4\r\na\r\nb\r\n"));
        assertEquals("", decode("$0\r\n\r\n"));
        assertNull(decode("$-1\r\n"));
        assertNull(decode("*-1\r\n"));
        assertEquals(List.of(), decode("*0\r\n"));
        assertEquals(Arrays.asList("x", null, 7L, List.of("y")), decode("*4\r\n$1\r\nx\r\n$-1\r\n:7\r\n*1\r\n+y\r\n"));
    }

    @Test
    void decodesErrorsIntoWordAndDetail() throws IOException {
        ErrorReply e = (ErrorReply) decode("-NOTLEADER n2 10.0.0.2:6379\r\n");
        assertEquals("NOTLEADER", e.word);
        assertEquals("n2 10.0.0.2:6379", e.detail);
        ErrorReply bare = (ErrorReply) decode("-NOTREADY\r\n");
        assertEquals("NOTREADY", bare.word);
        assertEquals("", bare.detail);
        assertTrue(((ErrorReply) decode("-TIMEOUT t\r\n")).mayHaveApplied());
        assertTrue(((ErrorReply) decode("-UNCERTAIN u\r\n")).mayHaveApplied());
        assertEquals(false, ((ErrorReply) decode("-BUSY b\r\n")).mayHaveApplied());
    }

    @Test
    void rejectsMalformedReplies() {
        assertThrows(IOException.class, () -> decode("?what\r\n"));
        assertThrows(IOException.class, () -> decode(":12x\r\n"));
        assertThrows(IOException.class, () -> decode("$5\r\nab\r\n"));
        assertThrows(IOException.class, () -> decode("$-2\r\n"));
        assertThrows(IOException.class, () -> decode("$2\r\nabXY"));
        assertThrows(IOException.class, () -> decode("+OK\rX"));
        assertThrows(IOException.class, () -> decode("*2\r\n:1\r\n"));
        assertThrows(IOException.class, () -> decode(""));
    }

    @Test
    void parsesNodeAddresses() {
        assertEquals(new NodeAddress("10.77.0.11", 6379), NodeAddress.parse("10.77.0.11:6379"));
        assertEquals(new NodeAddress("::1", 7), NodeAddress.parse("[::1]:7"));
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parse("nohost"));
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parse("h:0"));
        assertThrows(IllegalArgumentException.class, () -> NodeAddress.parse("h:port"));
    }
}
