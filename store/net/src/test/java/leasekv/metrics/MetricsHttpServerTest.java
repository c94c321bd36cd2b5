package leasekv.metrics;

import leasekv.netty.EventLoops;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MetricsHttpServerTest {
    private final EventLoops loops = EventLoops.create(1, 0);
    private MetricsHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        loops.close();
    }

    private HttpURLConnection open(String method, String path) throws IOException {
        URL url = new URL("http://127.0.0.1:" + server.boundAddress().getPort() + path);
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(2000);
        c.setReadTimeout(5000);
        return c;
    }

    @Test
    void servesTheRegistryAtMetricsAndNothingElse() throws Exception {
        MetricsRegistry registry = new MetricsRegistry();
        registry.gauge("leasekv_is_leader", "1 on the leader.").set(1);
        server = new MetricsHttpServer(registry, new InetSocketAddress("127.0.0.1", 0), loops).start();

        HttpURLConnection ok = open("GET", "/metrics");
        assertEquals(200, ok.getResponseCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", ok.getContentType());
        String body = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(registry.scrape(), body);

        registry.gauge("leasekv_is_leader", "1 on the leader.").set(0);
        HttpURLConnection again = open("GET", "/metrics?x=1");
        assertEquals(200, again.getResponseCode());
        String second = new String(again.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, second.contains("leasekv_is_leader 0\n"), second);

        assertEquals(404, open("GET", "/").getResponseCode());
        assertEquals(405, open("POST", "/metrics").getResponseCode());
    }
}
