package leasekv.lazyfs;

import static leasekv.lazyfs.FileOps.fsyncDirectory;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Partial power losses through a real mount and its control commands: what an appending log (a WAL)
 * finds afterwards. Needs root and FUSE.
 */
class PartialLossMountTest {
    private FuseTestMount fs;

    @BeforeEach
    void mount() throws IOException {
        fs = FuseTestMount.create();
    }

    @AfterEach
    void unmount() throws IOException {
        if (fs != null) {
            fs.close();
        }
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (1 + (seed + i) % 250); // never zero: a lost byte reads as zero
        }
        return b;
    }

    /** A durable file holding {@code synced}, then {@code unsynced} appended, each array one write. */
    private Path log(byte[] synced, byte[]... unsynced) throws IOException {
        Path file = fs.path("log");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(synced), 0);
            ch.force(true);
            long at = synced.length;
            for (byte[] w : unsynced) {
                ch.write(ByteBuffer.wrap(w), at);
                at += w.length;
            }
        }
        fsyncDirectory(fs.mountPoint);
        return file;
    }

    private String loseAndRemount(String command) throws IOException {
        String reply = fs.control().execute(command);
        fs.remount();
        return reply;
    }

    @Test
    void tearLeavesTheLastWriteCutAtASectorBoundary() throws IOException {
        byte[] synced = pattern(1000, 0);
        byte[] first = pattern(300, 1);
        byte[] last = pattern(2500, 2); // bytes 1300..3799: boundaries 1536 .. 3584 inside
        Path file = log(synced, first, last);
        String reply = loseAndRemount("lose-unsynced tear seed=11");
        assertTrue(reply.startsWith("ok mode=tear seed=11 files=1 kept_changes=2"), reply);
        assertTrue(reply.contains("torn_writes=1"), reply);
        byte[] after = Files.readAllBytes(file);
        assertEquals(0, after.length % PartialLoss.SECTOR_BYTES, "the file ends at a sector boundary: " + after.length);
        assertTrue(after.length > 1300 && after.length < 3800, "part of the last write survived: " + after.length);
        assertArrayEquals(synced, Arrays.copyOfRange(after, 0, 1000));
        assertArrayEquals(first, Arrays.copyOfRange(after, 1000, 1300));
        assertArrayEquals(Arrays.copyOf(last, after.length - 1300), Arrays.copyOfRange(after, 1300, after.length));
        assertTrue(fs.control().stats().contains("torn_writes=0"), "a new mount counts afresh");
    }

    @Test
    void keepPrefixLeavesAPrefixOfTheWritesInOrder() throws IOException {
        byte[] synced = pattern(200, 0);
        byte[][] writes = new byte[6][];
        byte[] all = synced;
        for (int i = 0; i < writes.length; i++) {
            writes[i] = pattern(700, 10 + i);
            byte[] grown = Arrays.copyOf(all, all.length + 700);
            System.arraycopy(writes[i], 0, grown, all.length, 700);
            all = grown;
        }
        Set<Integer> lengths = new HashSet<>();
        for (int seed = 0; seed < 8; seed++) {
            Path file = log(synced, writes);
            String reply = loseAndRemount("lose-unsynced keep-prefix seed=" + seed);
            assertTrue(reply.startsWith("ok mode=keep-prefix seed=" + seed), reply);
            byte[] after = Files.readAllBytes(file);
            assertTrue(after.length >= synced.length, "the synced part survives");
            assertArrayEquals(Arrays.copyOf(all, after.length), after, "a prefix, seed " + seed);
            lengths.add(after.length);
            Files.delete(file);
            fsyncDirectory(fs.mountPoint);
        }
        assertTrue(lengths.size() > 2, "different seeds keep different prefixes: " + lengths);
    }

    /**
     * The power goes in the middle of an fsync: that fsync fails, the write it was to make durable is
     * torn, and the dead disk refuses everything until the next mount.
     */
    @Test
    void anArmedLossStrikesAtTheNextFsync() throws IOException {
        byte[] synced = pattern(1000, 0);
        byte[] last = pattern(2500, 2);
        Path file = log(synced);
        String armed = fs.control().execute("lose-at-next-fsync tear seed=4");
        assertEquals("ok armed mode=tear seed=4", armed);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(last), 1000);
            assertThrows(IOException.class, () -> ch.force(false), "the fsync the power cut fails");
            assertThrows(IOException.class, () -> ch.write(ByteBuffer.wrap(last), 3500), "a dead disk takes nothing");
        }
        String stats = fs.control().stats();
        assertTrue(stats.contains(" torn_writes=1 armed=0 dead=1 fsync_losses=1"), stats);
        fs.remount();
        byte[] after = Files.readAllBytes(file);
        assertEquals(0, after.length % PartialLoss.SECTOR_BYTES, "torn at a sector boundary: " + after.length);
        assertTrue(after.length > 1000 && after.length < 3500, "part of the last write survived: " + after.length);
        assertArrayEquals(synced, Arrays.copyOf(after, 1000));
        assertArrayEquals(Arrays.copyOf(last, after.length - 1000), Arrays.copyOfRange(after, 1000, after.length));
        assertTrue(fs.control().stats().contains(" dead=0 "), "a new mount works");
    }

    @Test
    void loseUnsyncedDisarms() throws IOException {
        Path file = log(pattern(100, 0), pattern(100, 1));
        fs.control().execute("lose-at-next-fsync all seed=1");
        assertTrue(fs.control().execute("lose-unsynced keep-prefix seed=2").startsWith("ok mode=keep-prefix"));
        assertTrue(fs.control().stats().contains(" armed=0 dead=0 "), fs.control().stats());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(pattern(10, 3)), 0);
            ch.force(false); // no loss strikes
        }
    }

    @Test
    void aBadLossCommandIsAnErrorAndLosesNothing() throws IOException {
        Path file = log(pattern(10, 0), pattern(10, 1));
        assertTrue(fs.control().execute("lose-unsynced shred").startsWith("error unknown loss mode 'shred'"));
        assertEquals(20, Files.size(file));
    }
}
