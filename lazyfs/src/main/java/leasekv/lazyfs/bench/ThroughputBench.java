package leasekv.lazyfs.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The I/O patterns the store puts on lazyfs, timed in one directory: run it once on a lazyfs mount and
 * once on a plain directory of the backing disk and compare. Single-threaded; prints one line per
 * workload. Not a JMH benchmark: these are syscall-bound loops measured over seconds.
 */
public final class ThroughputBench {
    private static final int BULK_FILE_BYTES = 64 << 20;
    private static final int BULK_CHUNK_BYTES = 1 << 20;
    private static final int READ_CHUNK_BYTES = 128 << 10;

    private ThroughputBench() {
    }

    public static int run(List<String> argv) {
        Path dir = null;
        double seconds = 5;
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if ("--dir".equals(a) && i + 1 < argv.size()) {
                dir = Path.of(argv.get(++i));
            } else if ("--seconds".equals(a) && i + 1 < argv.size()) {
                seconds = Double.parseDouble(argv.get(++i));
            } else {
                System.err.println("error bench takes --dir DIR [--seconds N], not '" + a + "'");
                return 2;
            }
        }
        if (dir == null || !Files.isDirectory(dir)) {
            System.err.println("error bench needs --dir naming an existing directory");
            return 2;
        }
        try {
            Path work = Files.createTempDirectory(dir, "lazyfs-bench-");
            try {
                System.out.printf("%-34s %10s %9s %9s%n", "workload in " + dir, "ops/s", "p50_us", "MiB/s");
                appendLoop(work, 4096, true, seconds);
                appendLoop(work, 100, true, seconds);
                appendLoop(work, 100, false, seconds);
                bulkWriteThenRead(work);
                createFileAndSyncDirectory(work, seconds);
            } finally {
                deleteTree(work);
            }
            return 0;
        } catch (IOException e) {
            System.err.println("error bench failed: " + e);
            return 1;
        }
    }

    /** The WAL pattern: append a record, fdatasync (when {@code sync}), repeat. */
    private static void appendLoop(Path dir, int recordBytes, boolean sync, double seconds) throws IOException {
        Path file = dir.resolve("append-" + recordBytes + (sync ? "-sync" : "-nosync"));
        ByteBuffer record = randomBuffer(recordBytes);
        long[] latencies = new long[1 << 22];
        int count = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long start = System.nanoTime();
            long now = start;
            while (now < end && count < latencies.length) {
                record.rewind();
                ch.write(record);
                if (sync) {
                    ch.force(false);
                }
                long after = System.nanoTime();
                latencies[count++] = after - now;
                now = after;
            }
            report(String.format("append %d B%s", recordBytes, sync ? " + fdatasync" : " (no sync)"),
                    count, now - start, median(latencies, count), (long) count * recordBytes);
        }
    }

    /** The SST pattern: write a large file in big chunks, fsync once; then read it back sequentially. */
    private static void bulkWriteThenRead(Path dir) throws IOException {
        Path file = dir.resolve("bulk");
        ByteBuffer chunk = randomBuffer(BULK_CHUNK_BYTES);
        long start = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (int written = 0; written < BULK_FILE_BYTES; written += BULK_CHUNK_BYTES) {
                chunk.rewind();
                while (chunk.hasRemaining()) {
                    ch.write(chunk);
                }
            }
            ch.force(true);
        }
        long elapsed = System.nanoTime() - start;
        report("write 64 MiB in 1 MiB + fsync", BULK_FILE_BYTES / BULK_CHUNK_BYTES, elapsed, -1, BULK_FILE_BYTES);
        ByteBuffer buffer = ByteBuffer.allocateDirect(READ_CHUNK_BYTES);
        start = System.nanoTime();
        long total = 0;
        int reads = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long position = 0;
            int n;
            while ((n = ch.read(buffer.clear(), position)) > 0) {
                position += n;
                total += n;
                reads++;
            }
        }
        report("pread 64 MiB in 128 KiB", reads, System.nanoTime() - start, -1, total);
    }

    /** The new-segment pattern: create a file, write, fsync it, fsync its directory. */
    private static void createFileAndSyncDirectory(Path dir, double seconds) throws IOException {
        Path sub = Files.createDirectory(dir.resolve("segments"));
        ByteBuffer data = randomBuffer(512);
        long[] latencies = new long[1 << 20];
        int count = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long now = start;
        try (FileChannel dirChannel = FileChannel.open(sub, StandardOpenOption.READ)) {
            while (now < end && count < latencies.length) {
                try (FileChannel ch = FileChannel.open(sub.resolve("s" + count), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    data.rewind();
                    ch.write(data);
                    ch.force(true);
                }
                dirChannel.force(true);
                long after = System.nanoTime();
                latencies[count++] = after - now;
                now = after;
            }
        }
        report("create + fsync + dir fsync", count, now - start, median(latencies, count), -1);
    }

    private static ByteBuffer randomBuffer(int bytes) {
        byte[] data = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(data);
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes);
        buffer.put(data).flip();
        return buffer;
    }

    private static long median(long[] values, int count) {
        if (count == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        return sorted[count / 2];
    }

    private static void report(String name, long ops, long elapsedNanos, long medianNanos, long bytes) {
        double secs = elapsedNanos / 1e9;
        System.out.printf("%-34s %10.0f %9s %9s%n", name, ops / secs,
                medianNanos < 0 ? "-" : Long.toString(medianNanos / 1000),
                bytes < 0 ? "-" : String.format("%.1f", bytes / secs / (1 << 20)));
    }

    private static void deleteTree(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
