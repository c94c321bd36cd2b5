package leasekv.lazyfs;

import static leasekv.lazyfs.FileOps.fsync;
import static leasekv.lazyfs.FileOps.fsyncDirectory;
import static leasekv.lazyfs.FileOps.read;
import static leasekv.lazyfs.FileOps.write;
import static leasekv.lazyfs.FileOps.writeAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** File data across a power loss: what was fsynced survives, what was not is gone. Needs root and FUSE. */
class DataDurabilityTest {
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

    /** A file whose name is durable, holding {@code text} durably. */
    private Path durableFile(String name, String text) throws IOException {
        Path file = fs.path(name);
        write(file, text, true);
        fsyncDirectory(fs.mountPoint);
        return file;
    }

    @Test
    void writeFollowedByFsyncSurvivesPowerLoss() throws IOException {
        Path file = durableFile("a", "synced");
        fs.powerLoss();
        assertEquals("synced", read(file));
    }

    @Test
    void fdatasyncAlsoMakesDataDurable() throws IOException {
        Path file = durableFile("a", "");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(FileOps.bytes("appended")));
            ch.force(false);
        }
        fs.powerLoss();
        assertEquals("appended", read(file));
    }

    @Test
    void writeWithoutFsyncIsLost() throws IOException {
        Path file = durableFile("a", "one");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(FileOps.bytes(" two")));
        }
        assertEquals("one two", read(file), "unsynced data is visible before the loss");
        assertTrue(fs.control().stats().contains("pending_files=1"), fs.control().stats());
        String reply = fs.powerLoss();
        assertTrue(reply.startsWith("ok lost_page_bytes=4096 lost_files=1"), reply);
        assertEquals("one", read(file));
    }

    @Test
    void partialOverwriteInTheMiddleOfASyncedFileIsUndone() throws IOException {
        byte[] original = new byte[3 * 4096 + 100];
        new Random(7).nextBytes(original);
        Path file = fs.path("blob");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            FileOps.writeFully(ch, original, 0);
            ch.force(true);
        }
        fsyncDirectory(fs.mountPoint);
        writeAt(file, 5000, "overwritten in the middle", false);
        byte[] live = Files.readAllBytes(file);
        assertEquals("overwritten in the middle", new String(live, 5000, 25));
        assertArrayEquals(Arrays.copyOfRange(original, 0, 5000), Arrays.copyOfRange(live, 0, 5000),
                "bytes around an unsynced write come from the backing file");
        assertArrayEquals(Arrays.copyOfRange(original, 5025, original.length),
                Arrays.copyOfRange(live, 5025, live.length));
        fs.powerLoss();
        assertArrayEquals(original, Files.readAllBytes(file));
    }

    @Test
    void syncedOverwriteSurvivesAndLaterUnsyncedOneIsLost() throws IOException {
        Path file = durableFile("a", "aaaaaaaaaa");
        writeAt(file, 2, "BB", true);
        writeAt(file, 6, "CC", false);
        assertEquals("aaBBaaCCaa", read(file));
        fs.powerLoss();
        assertEquals("aaBBaaaaaa", read(file));
    }

    @Test
    void unsyncedTruncateIsUndone() throws IOException {
        Path file = durableFile("a", "0123456789");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(3);
        }
        assertEquals("012", read(file));
        fs.powerLoss();
        assertEquals("0123456789", read(file));
    }

    @Test
    void syncedTruncateIsDurable() throws IOException {
        Path file = durableFile("a", "0123456789");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(3);
            ch.force(true);
        }
        fs.powerLoss();
        assertEquals("012", read(file));
    }

    @Test
    void truncateThenExtendReadsZerosNotOldBytesAndSyncsThatWay() throws IOException {
        Path file = durableFile("a", "0123456789");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(2);
            FileOps.writeFully(ch, FileOps.bytes("X"), 8);
        }
        assertEquals("01\0\0\0\0\0\0X", read(file));
        fsync(file);
        fs.powerLoss();
        assertEquals("01\0\0\0\0\0\0X", read(file));
    }

    @Test
    void writeBeyondTheEndLeavesAZeroHole() throws IOException {
        Path file = durableFile("a", "ab");
        writeAt(file, 10_000, "z", false);
        byte[] live = Files.readAllBytes(file);
        assertEquals(10_001, live.length);
        assertEquals(10_001, Files.size(file), "stat shows the unsynced size");
        assertEquals('z', live[10_000]);
        for (int i = 2; i < 10_000; i++) {
            assertEquals(0, live[i], "byte " + i);
        }
        fs.powerLoss();
        assertEquals("ab", read(file));
    }

    @Test
    void cleanUnmountSyncsLikeARealFileSystem() throws IOException {
        Path file = durableFile("a", "one");
        writeAt(file, 3, " two", false);
        fs.remount();
        assertEquals("one two", read(file));
    }

    @Test
    void syncAllMakesEverythingDurable() throws IOException {
        Path file = durableFile("a", "one");
        writeAt(file, 3, " two", false);
        write(fs.path("new"), "fresh", false);
        String reply = fs.control().syncAll();
        assertTrue(reply.startsWith("ok synced_files=2"), reply);
        fs.powerLoss();
        assertEquals("one two", read(file));
        assertEquals("fresh", read(fs.path("new")));
    }

    @Test
    void largeUnsyncedFileIsReadBackExactlyThenLost() throws IOException {
        byte[] data = new byte[5 * 1024 * 1024 + 123];
        new Random(11).nextBytes(data);
        Path file = durableFile("big", "");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileOps.writeFully(ch, data, 0);
        }
        assertArrayEquals(data, Files.readAllBytes(file));
        fs.powerLoss();
        assertEquals(0, Files.size(file));
    }

    @Test
    void openUnlinkedFileStaysReadableAndWritable() throws IOException {
        Path file = durableFile("a", "still here");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Files.delete(file);
            FileOps.writeFully(ch, FileOps.bytes("STILL"), 0);
            ByteBuffer buffer = ByteBuffer.allocate(10);
            ch.read(buffer, 0);
            assertEquals("STILL here", new String(buffer.array()));
        }
        assertTrue(Files.notExists(file));
    }
}
