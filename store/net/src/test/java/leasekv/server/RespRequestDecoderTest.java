package leasekv.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request framing on its own, with bytes arriving in any split. */
class RespRequestDecoderTest {
    private static final String REQUESTS = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\n\r\n*0\r\nset  k\tv\r\n"
            + "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\nb\r\n";
    private static final List<String> COMMANDS = List.of("GET k", "PING", "set k v", "SET  a\r\nb");

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new RespRequestDecoder(RespServerConfig.defaults(new InetSocketAddress(0))));
    }

    private static List<String> commands(EmbeddedChannel channel) {
        List<String> commands = new ArrayList<>();
        for (RedisCommand c; (c = channel.readInbound()) != null; ) {
            List<String> words = new ArrayList<>();
            c.args.forEach(a -> words.add(new String(a, StandardCharsets.UTF_8)));
            commands.add(String.join(" ", words));
        }
        return commands;
    }

    @Test
    void decodesTheSameCommandsHoweverTheBytesAreSplit() {
        byte[] bytes = REQUESTS.getBytes(StandardCharsets.UTF_8);
        for (int chunk : new int[] {1, 2, 3, 7, bytes.length}) {
            EmbeddedChannel channel = channel();
            for (int i = 0; i < bytes.length; i += chunk) {
                channel.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(chunk, bytes.length - i)));
            }
            assertEquals(COMMANDS, commands(channel), "chunks of " + chunk);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void anUnfinishedCommandIsNotExecuted() {
        for (String unfinished : List.of("PING", "PING\r", "*1\r\n$4\r\nPING", "*1\r\n$4\r\nPING\r")) {
            EmbeddedChannel channel = channel();
            channel.writeInbound(Unpooled.copiedBuffer(unfinished, StandardCharsets.UTF_8));
            assertNull(channel.readInbound(), unfinished);
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void afterAFramingErrorTheRestIsIgnored() {
        EmbeddedChannel channel = channel();
        DecoderException e = assertThrows(DecoderException.class,
                () -> channel.writeInbound(Unpooled.copiedBuffer("PING\r\n*1\r\n+x\r\n", StandardCharsets.UTF_8)));
        ProtocolViolation violation = (ProtocolViolation) e.getCause();
        assertEquals(ErrorWord.ERR, violation.word);
        assertEquals("Protocol error: expected '$', got '+'", violation.getMessage());
        assertEquals(List.of("PING"), commands(channel), "the command before the bad bytes still counts");
        channel.writeInbound(Unpooled.copiedBuffer("PING\r\n", StandardCharsets.UTF_8));
        assertTrue(commands(channel).isEmpty());
        channel.finishAndReleaseAll();
    }

    @Test
    void errorTextsNeverCarryControlBytes() {
        EmbeddedChannel channel = channel();
        DecoderException e = assertThrows(DecoderException.class,
                () -> channel.writeInbound(Unpooled.copiedBuffer("*1\r\n\r\n", StandardCharsets.UTF_8)));
        assertEquals("Protocol error: expected '$', got byte 0x0d", e.getCause().getMessage());
        channel.finishAndReleaseAll();
    }
}
