package leasekv.lazyfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The page overlay against a byte-array model of "what applications see" and "what is durable", on a
 * real backing file. No FUSE: runs anywhere.
 */
class FileStateTest {
    private Path file;
    private FileState state;
    private final Counters counters = new Counters();

    @BeforeEach
    void open() throws IOException, ErrnoException {
        file = Files.createTempFile("lazyfs-filestate-", ".bin");
        Files.write(file, "durable-start".getBytes());
        int fd = Posix.open(file.toString(), Posix.O_RDWR, 0);
        state = new FileState(Posix.fstat(fd).ino(), fd, Files.size(file), counters, new PagePool(8));
    }

    @AfterEach
    void close() throws IOException {
        state.closeBacking();
        Files.deleteIfExists(file);
    }

    private void write(long offset, byte[] data) throws ErrnoException {
        Pointer src = Memory.allocateDirect(Posix.RUNTIME, Math.max(1, data.length));
        src.put(0, data, 0, data.length);
        state.write(src, offset, data.length);
    }

    private byte[] readAll() throws ErrnoException {
        int size = (int) state.size();
        Pointer dst = Memory.allocateDirect(Posix.RUNTIME, Math.max(1, size + 100));
        int n = state.read(dst, 0, size + 100);
        byte[] out = new byte[n];
        dst.get(0, out, 0, n);
        return out;
    }

    @Test
    void readsMergeUnsyncedPagesOverTheBackingFile() throws Exception {
        write(8, "X".getBytes());
        assertEquals("durable-Xtart", new String(readAll()));
        assertEquals("durable-start", Files.readString(file), "nothing reached the backing file");
        assertTrue(state.hasPending());
        assertEquals(4096, counters.pendingPageBytes.get());
    }

    @Test
    void flushWritesTheLiveContentAndDropForgetsIt() throws Exception {
        write(13, "-more".getBytes());
        state.flush(true, true);
        assertEquals("durable-start-more", Files.readString(file));
        assertFalse(state.hasPending());
        assertEquals(0, counters.pendingPageBytes.get());
        write(0, "LOST".getBytes());
        state.truncate(4);
        assertEquals(4096, state.dropUnsynced());
        assertEquals("durable-start-more", new String(readAll()));
        assertEquals(0, counters.pendingPageBytes.get());
    }

    @Test
    void extendReadsZerosAndSyncsAsZeros() throws Exception {
        state.extendTo(20);
        byte[] live = readAll();
        assertEquals(20, live.length);
        assertEquals("durable-start", new String(live, 0, 13));
        assertArrayEquals(new byte[7], Arrays.copyOfRange(live, 13, 20));
        state.flush(true, false);
        assertEquals(20, Files.size(file));
    }

    /** Random writes, truncates, extensions, syncs and losses, checked against two byte arrays. */
    @Test
    void randomOperationsMatchTheModel() throws Exception {
        Random random = new Random(2024);
        byte[] live = Files.readAllBytes(file);
        byte[] durable = live.clone();
        for (int step = 0; step < 3000; step++) {
            int op = random.nextInt(100);
            if (op < 60) {
                long offset = random.nextInt(3 * FileState.PAGE_SIZE);
                byte[] data = new byte[1 + random.nextInt(random.nextBoolean() ? 100 : 2 * FileState.PAGE_SIZE)];
                random.nextBytes(data);
                write(offset, data);
                live = Arrays.copyOf(live, (int) Math.max(live.length, offset + data.length));
                System.arraycopy(data, 0, live, (int) offset, data.length);
            } else if (op < 75) {
                int size = random.nextInt(4 * FileState.PAGE_SIZE);
                state.truncate(size);
                live = Arrays.copyOf(live, size);
            } else if (op < 80) {
                int size = random.nextInt(4 * FileState.PAGE_SIZE);
                state.extendTo(size);
                live = Arrays.copyOf(live, Math.max(live.length, size));
            } else if (op < 92) {
                state.flush(random.nextBoolean(), random.nextBoolean());
                durable = live.clone();
                assertArrayEquals(durable, Files.readAllBytes(file), "backing after flush, step " + step);
            } else {
                state.dropUnsynced();
                live = durable.clone();
            }
            assertArrayEquals(live, readAll(), "live view after step " + step + " (op " + op + ")");
            assertEquals(live.length, state.size());
        }
    }

    /** Applies changes, in order, to a byte-array file. */
    private static byte[] applied(byte[] start, List<UnsyncedChange> changes) {
        byte[] out = start.clone();
        for (UnsyncedChange c : changes) {
            if (c instanceof UnsyncedChange.Write w) {
                out = Arrays.copyOf(out, (int) Math.max(out.length, w.offset() + w.data().length));
                System.arraycopy(w.data(), 0, out, (int) w.offset(), w.data().length);
            } else if (c instanceof UnsyncedChange.Truncate t) {
                out = Arrays.copyOf(out, (int) t.size());
            } else if (c instanceof UnsyncedChange.Extend e) {
                out = Arrays.copyOf(out, (int) Math.max(out.length, e.size()));
            }
        }
        return out;
    }

    @Test
    void aTornLastWriteSurvivesUpToASectorBoundaryAndIsDurable() throws Exception {
        byte[] first = new byte[700];
        byte[] second = new byte[1300];
        Arrays.fill(first, (byte) 1);
        Arrays.fill(second, (byte) 2);
        write(13, first);  // bytes 13..712
        write(713, second); // bytes 713..2012: boundaries 1024 and 1536 inside
        PartialLoss.Survivors s = state.losePartially(new PartialLoss(PartialLoss.Mode.TEAR, 5));
        assertTrue(s.torn());
        byte[] file = Files.readAllBytes(this.file);
        assertTrue(file.length == 1024 || file.length == 1536, "ends at a sector boundary: " + file.length);
        assertArrayEquals(first, Arrays.copyOfRange(file, 13, 713), "the write before the torn one survived");
        for (int i = 713; i < file.length; i++) {
            assertEquals(2, file[i], "the torn write's leading part, byte " + i);
        }
        assertArrayEquals(file, readAll(), "the live view is the durable state");
        assertFalse(state.hasPending());
        assertEquals(0, counters.pendingChangeBytes.get());
    }

    /**
     * Random changes, then partial losses drawn from the same seed as a model: the file then holds
     * exactly the durable state with the surviving changes redone, durably.
     */
    @Test
    void partialLossesMatchTheModel() throws Exception {
        Random random = new Random(77);
        byte[] durable = Files.readAllBytes(file);
        List<UnsyncedChange> pending = new ArrayList<>();
        for (int round = 0; round < 300; round++) {
            int changes = random.nextInt(8);
            for (int i = 0; i < changes; i++) {
                int op = random.nextInt(10);
                if (op < 7) {
                    long offset = random.nextInt(3 * FileState.PAGE_SIZE);
                    byte[] data = new byte[1 + random.nextInt(2 * FileState.PAGE_SIZE)];
                    random.nextBytes(data);
                    write(offset, data);
                    pending.add(new UnsyncedChange.Write(offset, data));
                } else if (op < 9) {
                    int size = random.nextInt(4 * FileState.PAGE_SIZE);
                    state.truncate(size);
                    pending.add(new UnsyncedChange.Truncate(size));
                } else {
                    int size = random.nextInt(4 * FileState.PAGE_SIZE);
                    state.extendTo(size);
                    pending.add(new UnsyncedChange.Extend(size));
                }
            }
            PartialLoss.Mode mode = random.nextBoolean() ? PartialLoss.Mode.KEEP_PREFIX : PartialLoss.Mode.TEAR;
            long seed = random.nextLong();
            PartialLoss.Survivors expected = new PartialLoss(mode, seed).survivors(pending);
            state.losePartially(new PartialLoss(mode, seed));
            durable = applied(durable, expected.kept());
            pending.clear();
            assertArrayEquals(durable, Files.readAllBytes(file), "backing after round " + round + " (" + mode + ")");
            assertArrayEquals(durable, readAll(), "live view after round " + round);
            assertFalse(state.hasPending());
        }
        assertEquals(0, counters.pendingPageBytes.get());
        assertEquals(0, counters.pendingChangeBytes.get());
    }
}
