package leasekv.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A raw socket to the RESP server for tests that need to send malformed bytes and read exact replies. */
final class RawRespSocket implements AutoCloseable {
    /** An error reply, kept apart from simple strings. */
    record Error(String text) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawRespSocket(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", address.getPort()), 2000);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    RawRespSocket send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    RawRespSocket send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends a well-formed array command. */
    RawRespSocket command(String... args) throws IOException {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String arg : args) {
            sb.append('$').append(arg.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(arg).append("\r\n");
        }
        return send(sb.toString());
    }

    Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("closed by server");
        }
        String line = line();
        switch (type) {
            case '+': return line;
            case '-': return new Error(line);
            case ':': return Long.parseLong(line);
            case '$': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                byte[] b = in.readNBytes(n);
                in.readNBytes(2);
                return new String(b, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return items;
            }
            default: throw new IOException("bad reply type " + (char) type);
        }
    }

    String readError() throws IOException {
        Object reply = read();
        if (!(reply instanceof Error)) {
            throw new AssertionError("expected an error reply, got " + reply);
        }
        return ((Error) reply).text();
    }

    /** True when the server closes the connection within the socket timeout (after any pending bytes). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    /** Like {@link #closedByServer()} but waits at most {@code millis}. */
    boolean closedByServerWithin(int millis) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            return closedByServer();
        } finally {
            socket.setSoTimeout(previous);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("closed inside a line");
            }
            b.write(c);
        }
        in.read();
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
