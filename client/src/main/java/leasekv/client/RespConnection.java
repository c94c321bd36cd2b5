package leasekv.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One blocking RESP connection. Commands go out as arrays of bulk strings; replies come back as
 * String (simple and bulk strings, UTF-8), Long, {@code List<Object>}, null (nil) or {@link ErrorReply}.
 * Not thread-safe: {@link LeaseKvClient} serialises its use.
 */
final class RespConnection implements AutoCloseable {
    static final int MAX_BULK_BYTES = 512 * 1024 * 1024;
    static final int MAX_ARRAY_LENGTH = 64 * 1024 * 1024;
    private static final int MAX_LINE_BYTES = 64 * 1024;

    private final NodeAddress address;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespConnection(NodeAddress address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    /** Connects or throws; nothing has been sent when this throws. */
    static RespConnection open(NodeAddress address, int connectTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(address.host(), address.port()), Math.max(1, connectTimeoutMillis));
            return new RespConnection(address, socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    NodeAddress address() {
        return address;
    }

    void send(List<String> args) throws IOException {
        out.write(encode(args));
        out.flush();
    }

    /** Reads one reply, waiting at most {@code timeoutMillis} between bytes. */
    Object read(int timeoutMillis) throws IOException {
        socket.setSoTimeout(Math.max(1, timeoutMillis));
        return readReply(in);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket: nothing left to do
        }
    }

    /** The RESP encoding of a command: {@code *N\r\n} then {@code $len\r\nbytes\r\n} per argument. */
    static byte[] encode(List<String> args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        writeLine(buf, '*', args.size());
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            writeLine(buf, '$', bytes.length);
            buf.write(bytes, 0, bytes.length);
            buf.write('\r');
            buf.write('\n');
        }
        return buf.toByteArray();
    }

    private static void writeLine(ByteArrayOutputStream buf, char type, long n) {
        buf.write(type);
        byte[] digits = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
        buf.write(digits, 0, digits.length);
        buf.write('\r');
        buf.write('\n');
    }

    /** Decodes one reply; a malformed one throws {@link IOException} (the stream is then unusable). */
    static Object readReply(InputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by the server");
        }
        switch (type) {
            case '+':
                return readLine(in);
            case '-':
                return new ErrorReply(readLine(in));
            case ':':
                return parseLong(readLine(in));
            case '$':
                return readBulk(in, parseLong(readLine(in)));
            case '*':
                return readArray(in, parseLong(readLine(in)));
            default:
                throw new IOException("malformed reply: unexpected type byte 0x" + Integer.toHexString(type));
        }
    }

    private static String readBulk(InputStream in, long length) throws IOException {
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > MAX_BULK_BYTES) {
            throw new IOException("malformed reply: bulk length " + length);
        }
        byte[] bytes = in.readNBytes((int) length);
        if (bytes.length != length) {
            throw new EOFException("connection closed inside a bulk string");
        }
        expectCrlf(in);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static List<Object> readArray(InputStream in, long length) throws IOException {
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > MAX_ARRAY_LENGTH) {
            throw new IOException("malformed reply: array length " + length);
        }
        List<Object> items = new ArrayList<>((int) Math.min(length, 1024));
        for (long i = 0; i < length; i++) {
            items.add(readReply(in));
        }
        return items;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(32);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a reply line");
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("malformed reply: CR not followed by LF");
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_LINE_BYTES) {
                throw new IOException("malformed reply: line longer than " + MAX_LINE_BYTES + " bytes");
            }
            line.write(b);
        }
    }

    private static void expectCrlf(InputStream in) throws IOException {
        if (in.read() != '\r' || in.read() != '\n') {
            throw new IOException("malformed reply: bulk string not followed by CRLF");
        }
    }

    private static long parseLong(String text) throws IOException {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("malformed reply: '" + text + "' is not an integer");
        }
    }
}
