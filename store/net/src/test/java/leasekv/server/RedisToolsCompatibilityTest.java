package leasekv.server;

import leasekv.netty.EventLoops;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real redis-cli and redis-benchmark against the server; skipped when redis-tools is not installed. */
class RedisToolsCompatibilityTest {
    private static final Path REDIS_CLI = Path.of("/usr/bin/redis-cli");
    private static final Path REDIS_BENCHMARK = Path.of("/usr/bin/redis-benchmark");
    private static EventLoops loops;
    private static RespServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        loops = EventLoops.forTwoCores();
        server = new RespServer(RespServerConfig.defaults(new InetSocketAddress("127.0.0.1", 0)),
                new InMemoryKvService("n1", "127.0.0.1:6379", false), loops).start();
    }

    @AfterAll
    static void stop() {
        server.close();
        loops.close();
    }

    private static String run(Path tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(tool.toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(server.boundAddress().getPort())));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError(command + " did not finish within 60 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, p.exitValue(), command + " failed: " + out);
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void redisCliSpeaksToTheServer() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(REDIS_CLI), "redis-cli not installed (apt package redis-tools)");
        assertEquals("PONG", run(REDIS_CLI, "PING"));
        assertEquals("OK", run(REDIS_CLI, "SET", "cli-key", "hello world"));
        assertEquals("hello world", run(REDIS_CLI, "GET", "cli-key"));
        assertEquals("1", run(REDIS_CLI, "CAS", "cli-key", "hello world", "bye"));
        assertEquals("2", run(REDIS_CLI, "RPUSH", "cli-list", "a", "b"));
        assertEquals("a\nb", run(REDIS_CLI, "LRANGE", "cli-list", "0", "-1"));
        assertEquals("", run(REDIS_CLI, "GET", "absent"));
        assertTrue(run(REDIS_CLI, "FROB").startsWith("ERR unknown command"));
        assertTrue(run(REDIS_CLI, "ROLE").startsWith("leader\nn1"));
    }

    @Test
    void redisBenchmarkRunsPipelinedAgainstTheServer() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(REDIS_BENCHMARK), "redis-benchmark not installed (redis-tools)");
        String out = run(REDIS_BENCHMARK, "-q", "-n", "20000", "-c", "8", "-P", "16", "-t", "set,get,ping");
        assertTrue(out.contains("SET: ") && out.contains("GET: ") && out.contains("PING_MBULK: "), out);
        assertTrue(!out.contains("ERR") && !out.contains("WARN"), out);
    }
}
