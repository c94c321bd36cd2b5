package leasekv.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a client's bytes into {@link RedisCommand}s, the two ways Redis accepts a request:
 * <ul>
 *   <li>an array of bulk strings ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}), every line ended by CRLF;</li>
 *   <li>an inline command: a line of words split on whitespace, ended by LF, with or without a CR before
 *       it ({@code PING\n}, as typed into nc or telnet). Empty lines are skipped.</li>
 * </ul>
 *
 * <p>It replaces netty's generic RESP decoder and aggregators, which size buffers from the headers a
 * client sends, need CRLF after an inline command, and have a limit of their own (512 MiB bulk strings)
 * that answered differently from ours. Here every length is checked against {@link RespServerConfig}
 * before a byte is allocated, every line (inline, {@code *}, {@code $}) must end within
 * {@code maxInlineBytes}, and an argument is copied exactly once, from the socket buffer into its
 * final byte[]. An argument that breaks the command limit is read and discarded, so that the client
 * gets {@code -TOOLARGE} and keeps its connection; a framing error throws a {@link ProtocolViolation}
 * after the commands decoded before it, and the decoder ignores the rest of the connection's bytes.
 */
final class RespRequestDecoder extends ByteToMessageDecoder {
    private static final byte[] EMPTY = new byte[0];
    private static final int PER_ARGUMENT_OVERHEAD_BYTES = 16;
    private static final long NOT_A_NUMBER = Long.MIN_VALUE;

    private enum State { COMMAND_START, ARGUMENT_HEADER, ARGUMENT_CONTENT, ARGUMENT_END, BROKEN }

    private final RespServerConfig config;
    private State state = State.COMMAND_START;
    private int lineScannedBytes; // bytes from the reader index known to hold no LF
    private long remainingArguments;
    private List<byte[]> args;
    private long commandBytes;
    private String tooLargeReason;
    private byte[] argument;      // the bulk string being filled, null while discarding
    private int argumentFilled;
    private int argumentRemaining;

    RespRequestDecoder(RespServerConfig config) {
        this.config = config;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.BROKEN) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            while (in.isReadable() && step(in, out)) {
                // each step consumes bytes or returns false to wait for more
            }
        } catch (ProtocolViolation violation) {
            state = State.BROKEN;
            args = null;
            argument = null;
            in.skipBytes(in.readableBytes());
            throw violation;
        }
    }

    /** Decodes one piece; false when it needs more bytes. */
    private boolean step(ByteBuf in, List<Object> out) {
        switch (state) {
            case COMMAND_START: return commandStart(in, out);
            case ARGUMENT_HEADER: return argumentHeader(in);
            case ARGUMENT_CONTENT: return argumentContent(in);
            case ARGUMENT_END: return argumentEnd(in, out);
            default: throw new IllegalStateException("decoding in state " + state);
        }
    }

    private boolean commandStart(ByteBuf in, List<Object> out) {
        byte first = in.getByte(in.readerIndex());
        if (first == '*') {
            return arrayHeader(in);
        }
        if (first == '$' || first == '+' || first == '-' || first == ':') {
            throw violation(ErrorWord.ERR,
                    "expected an array of bulk strings or an inline command, got " + describe(first));
        }
        return inlineCommand(in, out);
    }

    private boolean arrayHeader(ByteBuf in) {
        int lf = findLineEnd(in);
        if (lf < 0) {
            return false;
        }
        String count = lengthLine(in, lf);
        long parsed = parseLength(count);
        if (parsed == NOT_A_NUMBER) {
            throw violation(ErrorWord.ERR, "invalid multibulk length");
        }
        if (parsed <= 0) {
            return true; // "*0" and "*-1" are empty requests; Redis ignores them too
        }
        if (parsed > config.maxArguments()) {
            throw violation(ErrorWord.TOOLARGE, "command has " + count + " arguments, the limit is "
                    + config.maxArguments());
        }
        remainingArguments = parsed;
        args = new ArrayList<>((int) Math.min(parsed, 16));
        commandBytes = 0;
        tooLargeReason = null;
        state = State.ARGUMENT_HEADER;
        return true;
    }

    private boolean argumentHeader(ByteBuf in) {
        byte first = in.getByte(in.readerIndex());
        if (first != '$') {
            throw violation(ErrorWord.ERR, "expected '$', got " + describe(first));
        }
        int lf = findLineEnd(in);
        if (lf < 0) {
            return false;
        }
        String length = lengthLine(in, lf);
        long parsed = parseLength(length);
        if (parsed == NOT_A_NUMBER || parsed < 0) {
            throw violation(ErrorWord.ERR, "invalid bulk length");
        }
        if (parsed > config.maxBulkBytes()) {
            throw violation(ErrorWord.TOOLARGE, "bulk string of " + length + " bytes, the limit is "
                    + config.maxBulkBytes());
        }
        startArgument((int) parsed);
        return true;
    }

    private void startArgument(int length) {
        // Arguments are only limited in sum here; the dispatcher names the key or value that is too long.
        commandBytes += length + PER_ARGUMENT_OVERHEAD_BYTES;
        if (tooLargeReason == null && commandBytes > config.maxCommandBytes()) {
            tooLargeReason = "command is more than " + config.maxCommandBytes() + " bytes";
            args.clear(); // nothing of an over-limit command is kept
        }
        argument = tooLargeReason != null ? null : length == 0 ? EMPTY : new byte[length];
        argumentFilled = 0;
        argumentRemaining = length;
        state = length == 0 ? State.ARGUMENT_END : State.ARGUMENT_CONTENT;
    }

    private boolean argumentContent(ByteBuf in) {
        int n = Math.min(argumentRemaining, in.readableBytes());
        if (argument == null) {
            in.skipBytes(n);
        } else {
            in.readBytes(argument, argumentFilled, n);
            argumentFilled += n;
        }
        argumentRemaining -= n;
        if (argumentRemaining == 0) {
            state = State.ARGUMENT_END;
        }
        return true;
    }

    private boolean argumentEnd(ByteBuf in, List<Object> out) {
        if (in.readableBytes() < 2) {
            return false;
        }
        int at = in.readerIndex();
        if (in.getByte(at) != '\r' || in.getByte(at + 1) != '\n') {
            throw violation(ErrorWord.ERR, "bulk string not followed by CRLF");
        }
        in.skipBytes(2);
        if (argument != null) {
            args.add(argument);
            argument = null;
        }
        if (--remainingArguments > 0) {
            state = State.ARGUMENT_HEADER;
            return true;
        }
        out.add(tooLargeReason != null ? RedisCommand.tooLarge(tooLargeReason) : RedisCommand.of(args));
        args = null;
        state = State.COMMAND_START;
        return true;
    }

    private boolean inlineCommand(ByteBuf in, List<Object> out) {
        int lf = findLineEnd(in);
        if (lf < 0) {
            return false;
        }
        List<byte[]> words = InlineWords.split(in, in.readerIndex(), lf);
        in.readerIndex(lf + 1);
        if (!words.isEmpty()) {
            out.add(RedisCommand.of(words));
        }
        return true;
    }

    /**
     * The index of the LF that ends the line at the reader index, or -1 while it has not arrived.
     * A line (its end included) longer than {@code maxInlineBytes} is a framing error, so a client that
     * never sends a line end cannot make the server buffer without bound.
     */
    private int findLineEnd(ByteBuf in) {
        int start = in.readerIndex();
        int lf = in.indexOf(start + lineScannedBytes, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            lineScannedBytes = in.readableBytes();
            if (lineScannedBytes > config.maxInlineBytes()) {
                throw violation(ErrorWord.ERR, "no line end within " + config.maxInlineBytes() + " bytes");
            }
            return -1;
        }
        lineScannedBytes = 0;
        if (lf - start >= config.maxInlineBytes()) {
            throw violation(ErrorWord.ERR, "line longer than " + config.maxInlineBytes() + " bytes");
        }
        return lf;
    }

    /** Consumes a {@code *} or {@code $} line ending at {@code lf} and returns the text after its type byte. */
    private static String lengthLine(ByteBuf in, int lf) {
        int start = in.readerIndex();
        if (lf == start + 1 || in.getByte(lf - 1) != '\r') {
            throw violation(ErrorWord.ERR, "line not ended by CRLF");
        }
        String text = in.toString(start + 1, lf - 1 - (start + 1), StandardCharsets.ISO_8859_1);
        in.readerIndex(lf + 1);
        return text;
    }

    /**
     * An optional minus and at least one digit; a value beyond a long saturates (it is over every limit).
     * Anything else is {@link #NOT_A_NUMBER}.
     */
    private static long parseLength(String text) {
        boolean negative = text.startsWith("-");
        int from = negative ? 1 : 0;
        if (from == text.length()) {
            return NOT_A_NUMBER;
        }
        long value = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return NOT_A_NUMBER;
            }
            value = value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + (c - '0');
        }
        return negative ? -value : value;
    }

    /** A byte for an error text: printable ASCII quoted, anything else (CR, LF, binary) in hex. */
    private static String describe(byte b) {
        return b >= 0x21 && b < 0x7f ? "'" + (char) b + "'" : String.format("byte 0x%02x", b & 0xff);
    }

    private static ProtocolViolation violation(ErrorWord word, String detail) {
        return new ProtocolViolation(word, "Protocol error: " + detail);
    }
}
