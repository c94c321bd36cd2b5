package leasekv.lazyfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Over the pending-memory cap, unsynced pages are written back like a kernel's dirty pages. Needs FUSE. */
class MemoryPressureTest {
    private static final long CAP_BYTES = 1 << 20;
    private FuseTestMount fs;

    @AfterEach
    void unmount() throws IOException {
        if (fs != null) {
            fs.close();
        }
    }

    private static long stat(String stats, String name) {
        Matcher m = Pattern.compile(" " + name + "=(\\d+)").matcher(stats);
        assertTrue(m.find(), name + " in " + stats);
        return Long.parseLong(m.group(1));
    }

    @Test
    void writesOverTheCapAreWrittenBackAndStayCorrect() throws IOException {
        fs = FuseTestMount.create(NamespaceDurability.DIR_FSYNC, CAP_BYTES);
        Path file = fs.path("big");
        FileOps.write(file, "", true);
        FileOps.fsyncDirectory(fs.mountPoint);
        byte[] data = new byte[4 << 20];
        new Random(5).nextBytes(data);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileOps.writeFully(ch, data, 0);
        }
        String stats = fs.control().stats();
        assertTrue(stat(stats, "writeback_bytes") >= data.length - CAP_BYTES, stats);
        assertTrue(stat(stats, "pending_page_bytes") <= CAP_BYTES, stats);
        assertArrayEquals(data, Files.readAllBytes(file));

        fs.powerLoss();
        byte[] survived = Files.readAllBytes(file);
        assertTrue(survived.length <= data.length);
        for (int page = 0; page * 4096 < survived.length; page++) {
            int from = page * 4096;
            int to = Math.min(survived.length, from + 4096);
            byte[] got = Arrays.copyOfRange(survived, from, to);
            boolean written = Arrays.equals(got, Arrays.copyOfRange(data, from, to));
            boolean hole = Arrays.equals(got, new byte[to - from]);
            assertTrue(written || hole, "page " + page + " is neither the written data nor a hole");
        }
        assertEquals(0, stat(fs.control().stats(), "pending_page_bytes"));
    }
}
