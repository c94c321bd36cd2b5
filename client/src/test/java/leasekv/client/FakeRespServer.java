package leasekv.client;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted RESP server for client tests: every received command is recorded and answered with the raw
 * RESP text the script returns for it, or not answered at all when the script returns {@link #SILENCE}.
 */
final class FakeRespServer implements AutoCloseable {
    static final String SILENCE = "<no reply>";

    private final ServerSocket serverSocket;
    private final Function<List<String>, String> script;
    final List<List<String>> received = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    FakeRespServer(Function<List<String>, String> script) throws IOException {
        this.script = script;
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "fake-resp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String address() {
        return "127.0.0.1:" + serverSocket.getLocalPort();
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                sockets.add(socket);
                Thread t = new Thread(() -> serve(socket), "fake-resp-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                List<String> command = (List<String>) RespConnection.readReply(in);
                received.add(command);
                String reply = script.apply(command);
                if (!SILENCE.equals(reply)) {
                    out.write(reply.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        serverSocket.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
