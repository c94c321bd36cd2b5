package leasekv.lazyfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A WAL-like appender in its own process, killed with -9, then the harness's power loss: every
 * acknowledged (fdatasynced) record must survive and nothing unsynced may. Needs root and FUSE.
 */
class WalCrashTest {
    private static final int FORCE_EVERY = 4;
    private FuseTestMount fs;
    private Process appender;

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        if (appender != null && appender.isAlive()) {
            appender.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (fs != null) {
            fs.close();
        }
    }

    private BufferedReader startAppender(long stopAfter) throws IOException {
        fs = FuseTestMount.create();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = new File(WalAppender.class.getProtectionDomain().getCodeSource().getLocation().getPath())
                .getPath();
        appender = new ProcessBuilder(java, "-Xmx64m", "-cp", classes, WalAppender.class.getName(),
                fs.mountPoint.toString(), Integer.toString(FORCE_EVERY), Long.toString(stopAfter))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new BufferedReader(new InputStreamReader(appender.getInputStream()));
    }

    /** Reads the appender's output until {@code until} (a line prefix); answers the last acked id. */
    private static long readUntil(BufferedReader out, String until, long minAcked) throws IOException {
        long lastAcked = -1;
        long deadline = System.currentTimeMillis() + 60_000;
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("acked ")) {
                lastAcked = Long.parseLong(line.substring(6));
            }
            if (line.startsWith(until) && lastAcked >= minAcked) {
                return lastAcked;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("appender too slow: last acked " + lastAcked);
            }
        }
        return lastAcked;
    }

    private long killAppender(BufferedReader out, long lastAcked) throws IOException, InterruptedException {
        appender.toHandle().destroyForcibly(); // SIGKILL; Process.destroyForcibly would also close its output
        assertTrue(appender.waitFor(30, TimeUnit.SECONDS), "appender did not die");
        String line;
        while ((line = out.readLine()) != null) { // acks printed before the kill
            if (line.startsWith("acked ")) {
                lastAcked = Long.parseLong(line.substring(6));
            }
        }
        return lastAcked;
    }

    private WalAppender.Scan scanSegment() throws IOException {
        return WalAppender.scan(Files.readAllBytes(fs.path(WalAppender.SEGMENT)));
    }

    @Test
    void powerLossKeepsExactlyTheSyncedRecords() throws Exception {
        BufferedReader out = startAppender(400);
        long lastAcked = killAppender(out, readUntil(out, "tail", 0));
        assertEquals(399, lastAcked);
        String reply = fs.powerLoss();
        assertTrue(reply.startsWith("ok lost_page_bytes=") && !reply.startsWith("ok lost_page_bytes=0 "), reply);
        WalAppender.Scan scan = scanSegment();
        assertEquals(400, scan.records(), "the three unsynced tail records are gone, every synced one is there");
        assertEquals(scan.validBytes(), scan.fileBytes(), "no torn or stale bytes after the last synced record");
    }

    @Test
    void processCrashAloneLosesNothing() throws Exception {
        BufferedReader out = startAppender(400);
        killAppender(out, readUntil(out, "tail", 0));
        fs.remount(); // kill -9 without power loss: the "kernel" still has everything
        WalAppender.Scan scan = scanSegment();
        assertEquals(403, scan.records());
        assertEquals(scan.validBytes(), scan.fileBytes());
    }

    @Test
    void killAtARandomMomentThenPowerLossKeepsEveryAcknowledgedRecord() throws Exception {
        BufferedReader out = startAppender(0);
        long lastAcked = killAppender(out, readUntil(out, "acked", 200));
        fs.powerLoss();
        WalAppender.Scan scan = scanSegment();
        assertTrue(scan.records() >= lastAcked + 1, scan + " but acked up to " + lastAcked);
        assertEquals(0, scan.records() % FORCE_EVERY, "the segment ends exactly at a synced record: " + scan);
        assertEquals(scan.validBytes(), scan.fileBytes(), "no torn or stale bytes after the last synced record");
    }
}
