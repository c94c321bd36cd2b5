package leasekv.lazyfs;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The control socket: a Unix stream socket taking one command line per connection ("stats\n") and
 * answering one line ("ok ...\n" or "error ...\n"), then closing. Commands run one at a time.
 */
public final class ControlServer implements AutoCloseable {
    static final int MAX_COMMAND_BYTES = 1024;
    private final Path socketPath;
    private final ControlOps ops;
    private ServerSocketChannel server;

    public ControlServer(Path socketPath, ControlOps ops) {
        this.socketPath = socketPath.toAbsolutePath().normalize();
        this.ops = ops;
    }

    public void start() throws IOException {
        if (Files.exists(socketPath)) {
            if (answers(socketPath)) {
                throw new IOException("--control " + socketPath + " is in use by a running lazyfs");
            }
            Files.delete(socketPath); // left by a lazyfs that was killed
        }
        Files.createDirectories(socketPath.getParent());
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        Thread thread = new Thread(this::serve, "lazyfs-control");
        thread.setDaemon(true);
        thread.start();
    }

    private static boolean answers(Path socketPath) {
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
            return probe.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                String command = readLine(client);
                String reply = command == null ? "error empty command" : ops.execute(command);
                client.write(ByteBuffer.wrap((reply + "\n").getBytes(StandardCharsets.UTF_8)));
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException | RuntimeException e) {
                Log.warn("control connection failed: " + e);
            }
        }
    }

    /** Reads up to the first newline (or the end); null when nothing came. */
    private static String readLine(SocketChannel client) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_COMMAND_BYTES);
        while (buffer.hasRemaining()) {
            int n = client.read(buffer);
            if (n < 0) {
                break;
            }
            if (containsNewline(buffer)) {
                break;
            }
        }
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String line = (newline >= 0 ? text.substring(0, newline) : text).trim();
        return line.isEmpty() ? null : line;
    }

    private static boolean containsNewline(ByteBuffer buffer) {
        for (int i = 0; i < buffer.position(); i++) {
            if (buffer.get(i) == '\n') {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            if (server != null) {
                server.close();
            }
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            Log.warn("closing control socket " + socketPath + ": " + e);
        }
    }
}
