package leasekv.lazyfs;

import static leasekv.lazyfs.FileOps.fsync;
import static leasekv.lazyfs.FileOps.fsyncDirectory;
import static leasekv.lazyfs.FileOps.read;
import static leasekv.lazyfs.FileOps.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Names across a power loss in the default model, ext4 with data=ordered: any fsync commits the
 * journal, so every namespace change made before it is durable; file data still need their own
 * fsync. Needs root and FUSE.
 */
class AnyFsyncModelTest {
    private FuseTestMount fs;

    @BeforeEach
    void mount() throws IOException {
        fs = FuseTestMount.create(NamespaceDurability.ANY_FSYNC);
    }

    @AfterEach
    void unmount() throws IOException {
        if (fs != null) {
            fs.close();
        }
    }

    @Test
    void fsyncedNewFileKeepsItsNameWithoutADirectoryFsync() throws IOException {
        write(fs.path("a"), "data", true);
        fs.powerLoss();
        assertEquals("data", read(fs.path("a")));
    }

    @Test
    void anUnrelatedFsyncCommitsEarlierNamesButNotTheirData() throws IOException {
        write(fs.path("b"), "never synced", false);
        write(fs.path("a"), "data", true);
        write(fs.path("c"), "created after the last fsync", false);
        fs.powerLoss();
        assertEquals("data", read(fs.path("a")));
        assertEquals("", read(fs.path("b")), "b's creation rode on a's journal commit, its data did not");
        assertFalse(Files.exists(fs.path("c")));
    }

    @Test
    void renameIsCommittedByAnyLaterFsync() throws IOException {
        write(fs.path("target"), "old", true);
        write(fs.path("tmp"), "new", true);
        Files.move(fs.path("tmp"), fs.path("target"), StandardCopyOption.ATOMIC_MOVE);
        write(fs.path("other"), "x", true);
        fs.powerLoss();
        assertEquals("new", read(fs.path("target")));
        assertFalse(Files.exists(fs.path("tmp")));
    }

    @Test
    void renameWithNoFsyncAfterItIsUndone() throws IOException {
        write(fs.path("target"), "old", true);
        write(fs.path("tmp"), "new", true);
        Files.move(fs.path("tmp"), fs.path("target"), StandardCopyOption.ATOMIC_MOVE);
        String reply = fs.powerLoss();
        assertTrue(reply.endsWith("undone_ops=1"), reply);
        assertEquals("old", read(fs.path("target")));
        assertEquals("new", read(fs.path("tmp")));
    }

    @Test
    void unlinkIsCommittedByAnyLaterFsync() throws IOException {
        write(fs.path("gone"), "bye", true);
        write(fs.path("kept"), "x", false);
        Files.delete(fs.path("gone"));
        fsync(fs.path("kept"));
        fs.powerLoss();
        assertFalse(Files.exists(fs.path("gone")));
    }

    /** RocksDB creates its directory and never fsyncs the parent; ext4 keeps it all the same. */
    @Test
    void newDirectoryTreeSurvivesAFsyncOfAFileInside() throws IOException {
        Files.createDirectory(fs.path("db"));
        Files.createDirectory(fs.path("db/sub"));
        write(fs.path("db/sub/CURRENT"), "MANIFEST-1", true);
        fs.powerLoss();
        assertEquals("MANIFEST-1", read(fs.path("db/sub/CURRENT")));
    }

    @Test
    void aDirectoryFsyncCommitsChangesInOtherDirectoriesToo() throws IOException {
        Files.createDirectory(fs.path("x"));
        Files.createDirectory(fs.path("y"));
        write(fs.path("y/f"), "", false);
        fsyncDirectory(fs.path("x"));
        fs.powerLoss();
        assertTrue(Files.exists(fs.path("y/f")));
    }
}
