package leasekv.lazyfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Appenders, readers and a namespace churner at once: no deadlock, every byte where it belongs, and
 * after a power loss each appender's file is exactly a prefix of what it wrote, no shorter than its
 * last fsync. Needs root and FUSE.
 */
class ConcurrencyTest {
    private static final int APPENDERS = 4;
    private static final long RUN_MILLIS = 2_000;
    private FuseTestMount fs;

    @AfterEach
    void unmount() throws IOException {
        if (fs != null) {
            fs.close();
        }
    }

    /** What one appender wrote, and how much of it was fsynced. */
    private record Appended(Path file, byte[] written, long syncedBytes) {
    }

    private Appended append(int id, long deadline) throws IOException {
        Path file = fs.path("wal-" + id);
        Random random = new Random(id);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        long synced = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.force(true);
            FileOps.fsyncDirectory(fs.mountPoint);
            while (System.currentTimeMillis() < deadline) {
                byte[] record = new byte[1 + random.nextInt(700)];
                random.nextBytes(record);
                ch.write(ByteBuffer.wrap(record));
                written.write(record);
                if (random.nextInt(3) == 0) {
                    ch.force(false);
                    synced = written.size();
                }
            }
        }
        return new Appended(file, written.toByteArray(), synced);
    }

    private int churn(long deadline) throws IOException {
        int round = 0;
        Files.createDirectory(fs.path("churn"));
        while (System.currentTimeMillis() < deadline) {
            Path a = fs.path("churn/a" + round);
            FileOps.write(a, "round " + round, round % 2 == 0);
            Files.move(a, fs.path("churn/b" + (round % 5)), StandardCopyOption.REPLACE_EXISTING);
            if (round % 3 == 0) {
                FileOps.fsyncDirectory(fs.path("churn"));
            }
            round++;
        }
        return round;
    }

    private long read(long deadline) throws IOException {
        long bytes = 0;
        while (System.currentTimeMillis() < deadline) {
            for (int id = 0; id < APPENDERS; id++) {
                Path file = fs.path("wal-" + id);
                if (Files.exists(file)) {
                    bytes += Files.readAllBytes(file).length;
                }
            }
        }
        return bytes;
    }

    @Test
    void concurrentAppendsReadsAndRenamesStayConsistent() throws Exception {
        fs = FuseTestMount.create();
        long deadline = System.currentTimeMillis() + RUN_MILLIS;
        ExecutorService pool = Executors.newFixedThreadPool(APPENDERS + 2);
        try {
            List<Future<Appended>> appenders = new ArrayList<>();
            for (int id = 0; id < APPENDERS; id++) {
                int appender = id;
                appenders.add(pool.submit(() -> append(appender, deadline)));
            }
            Future<Integer> churner = pool.submit(() -> churn(deadline));
            Future<Long> reader = pool.submit(() -> read(deadline));
            List<Appended> results = new ArrayList<>();
            for (Future<Appended> f : appenders) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            assertTrue(churner.get(60, TimeUnit.SECONDS) > 0);
            assertTrue(reader.get(60, TimeUnit.SECONDS) >= 0);
            for (Appended a : results) {
                assertArrayEquals(a.written(), Files.readAllBytes(a.file()), a.file() + " before the loss");
            }
            fs.powerLoss();
            for (Appended a : results) {
                byte[] survived = Files.readAllBytes(a.file());
                assertEquals(a.syncedBytes(), survived.length, a.file() + ": exactly the fsynced prefix survives");
                byte[] prefix = java.util.Arrays.copyOf(a.written(), survived.length);
                assertArrayEquals(prefix, survived, a.file() + " after the loss");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
