package leasekv.server;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.List;

/**
 * The words of an inline command line, split as Redis splits them: on every byte C's isspace() accepts
 * (space, tab, CR, LF, vertical tab, form feed), so that {@code PING\r\n} and {@code PING\n} are the
 * same command. Unlike Redis, quotes have no meaning (docs/protocol.md): a word is the bytes between
 * whitespace, copied as they are.
 */
final class InlineWords {
    private InlineWords() {
    }

    /** The words of {@code line[from, to)}; empty for a blank line. */
    static List<byte[]> split(ByteBuf line, int from, int to) {
        List<byte[]> words = new ArrayList<>();
        int i = from;
        while (i < to) {
            while (i < to && isSpace(line.getByte(i))) {
                i++;
            }
            int start = i;
            while (i < to && !isSpace(line.getByte(i))) {
                i++;
            }
            if (i > start) {
                byte[] word = new byte[i - start];
                line.getBytes(start, word);
                words.add(word);
            }
        }
        return words;
    }

    static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0x0b || b == '\f';
    }
}
