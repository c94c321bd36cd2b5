package leasekv.delayproxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy against a local echo server: delays by source, rule reloads, byte order, close. */
class DelayProxyTest {
    @TempDir Path dir;
    private ServerSocket echo;
    private DelayProxy proxy;
    private DelayRules rules;
    private InetSocketAddress proxyAddress;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::echoLoop, "echo");
        t.setDaemon(true);
        t.start();
        rules = new DelayRules(dir.resolve("rules"));
        proxy = new DelayProxy(new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", echo.getLocalPort()), rules);
        proxyAddress = proxy.bind();
        Thread s = new Thread(proxy::serve, "proxy");
        s.setDaemon(true);
        s.start();
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private void echoLoop() {
        while (!echo.isClosed()) {
            try {
                Socket s = echo.accept();
                Thread t = new Thread(() -> {
                    try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        // client went away
                    }
                });
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void writeRules(String text) throws IOException {
        Path tmp = dir.resolve("rules.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, dir.resolve("rules"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        rules.refresh();
    }

    /** Sends one byte through the proxy and returns the round trip in ms. */
    private static long roundTripMillis(Socket s) throws IOException {
        long t0 = System.nanoTime();
        s.getOutputStream().write(7);
        assertEquals(7, s.getInputStream().read());
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void noRulesFileMeansNoDelay() throws IOException {
        try (Socket s = new Socket(proxyAddress.getAddress(), proxyAddress.getPort())) {
            roundTripMillis(s);
            assertTrue(roundTripMillis(s) < 100, "an undelayed round trip is fast");
        }
    }

    @Test
    void delaysTheSourceNamedInTheRulesAndOnlyIt() throws IOException {
        writeRules("# delay the loopback client\n127.0.0.1 300\n* 0\n");
        try (Socket s = new Socket(proxyAddress.getAddress(), proxyAddress.getPort())) {
            long rtt = roundTripMillis(s);
            assertTrue(rtt >= 290, "delayed by about 300 ms, was " + rtt);
        }
        writeRules("10.0.0.9 300\n");
        try (Socket s = new Socket(proxyAddress.getAddress(), proxyAddress.getPort())) {
            assertTrue(roundTripMillis(s) < 150, "another source's rule does not apply");
        }
        writeRules("* 200\n");
        try (Socket s = new Socket(proxyAddress.getAddress(), proxyAddress.getPort())) {
            assertTrue(roundTripMillis(s) >= 190, "the default applies to every other source");
        }
    }

    @Test
    void aLaneRuleDelaysOnlyConnectionsThatOpenWithThatLanesHello() throws IOException {
        writeRules("* replication 300\n");
        for (int lane = 0; lane < 3; lane++) {
            try (Socket s = new Socket(proxyAddress.getAddress(), proxyAddress.getPort())) {
                byte[] hello = {0, 0, 0, 20, 'L', 'K', 'V', '1', 1, (byte) lane};
                s.getOutputStream().write(hello);
                byte[] echoed = s.getInputStream().readNBytes(hello.length);
                assertEquals(hello.length, echoed.length);
                long rtt = roundTripMillis(s);
                if (lane == 1) {
                    assertTrue(rtt >= 290, "a replication connection is delayed, rtt " + rtt);
                } else {
                    assertTrue(rtt < 150, "lane " + lane + " is not delayed, rtt " + rtt);
                }
            }
        }
        try (Socket s = new Socket(proxyAddress.getAddress(), proxyAddress.getPort())) {
            assertTrue(roundTripMillis(s) < 150, "a connection without a hello matches no lane rule");
        }
    }

    @Test
    void aChangedRuleAppliesToOpenConnections() throws IOException {
        try (Socket s = new Socket(proxyAddress.getAddress(), proxyAddress.getPort())) {
            assertTrue(roundTripMillis(s) < 150);
            writeRules("* 250\n");
            assertTrue(roundTripMillis(s) >= 240);
            writeRules("* 0\n");
            assertTrue(roundTripMillis(s) < 150);
        }
    }

    @Test
    void bytesStayInOrderWhenTheDelayShrinks() throws Exception {
        writeRules("* 300\n");
        try (Socket s = new Socket(proxyAddress.getAddress(), proxyAddress.getPort())) {
            byte[] sent = new byte[200_000];
            for (int i = 0; i < sent.length; i++) sent[i] = (byte) (i * 31);
            OutputStream out = s.getOutputStream();
            out.write(sent, 0, 100_000);
            writeRules("* 0\n");
            out.write(sent, 100_000, 100_000);
            byte[] got = s.getInputStream().readNBytes(sent.length);
            assertArrayEquals(sent, got);
        }
    }

    @Test
    void aMalformedFileKeepsTheRulesInForce() throws IOException {
        writeRules("* 120\n");
        Files.writeString(dir.resolve("rules"), "* soon\n");
        String change = rules.refresh();
        assertTrue(change.contains("line 1") && change.contains("soon"), change);
        assertEquals(120, rules.delayMillisFor(java.net.InetAddress.getLoopbackAddress(), null));
    }

    @Test
    void closingTheClientClosesTheUpstream() throws Exception {
        Socket s = new Socket(proxyAddress.getAddress(), proxyAddress.getPort());
        roundTripMillis(s);
        s.shutdownOutput();
        assertEquals(-1, s.getInputStream().read(), "the echo server saw the end and closed");
        s.close();
    }
}
