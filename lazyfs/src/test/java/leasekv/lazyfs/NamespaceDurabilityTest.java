package leasekv.lazyfs;

import static leasekv.lazyfs.FileOps.fsync;
import static leasekv.lazyfs.FileOps.fsyncDirectory;
import static leasekv.lazyfs.FileOps.read;
import static leasekv.lazyfs.FileOps.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Names across a power loss in the strict dir-fsync model (a namespace change is durable once a
 * directory it changed was fsynced), plus namespace behaviour common to both models. The default
 * ext4-like model is {@link AnyFsyncModelTest}. Needs root and FUSE.
 */
class NamespaceDurabilityTest {
    private FuseTestMount fs;

    private FuseTestMount mount(NamespaceDurability durability) throws IOException {
        fs = FuseTestMount.create(durability);
        return fs;
    }

    private FuseTestMount mount() throws IOException {
        return mount(NamespaceDurability.DIR_FSYNC);
    }

    @AfterEach
    void unmount() throws IOException {
        if (fs != null) {
            fs.close();
        }
    }

    @Test
    void fileAndDirectoryFsyncedSurvives() throws IOException {
        mount();
        write(fs.path("a"), "data", true);
        fsyncDirectory(fs.mountPoint);
        fs.powerLoss();
        assertEquals("data", read(fs.path("a")));
    }

    @Test
    void directoryFdatasyncCommitsLikeFsync() throws IOException {
        mount();
        write(fs.path("a"), "data", true);
        try (FileChannel dir = FileChannel.open(fs.mountPoint, StandardOpenOption.READ)) {
            dir.force(false); // fdatasync(2): FUSE passes datasync=1 to fsyncdir
        }
        fs.powerLoss();
        assertEquals("data", read(fs.path("a")));
    }

    @Test
    void fsyncedFileWhoseDirectoryWasNeverFsyncedIsLost() throws IOException {
        mount();
        write(fs.path("a"), "data", true);
        String reply = fs.powerLoss();
        assertTrue(reply.endsWith("undone_ops=1"), reply);
        assertFalse(Files.exists(fs.path("a")), "the name was never made durable");
        assertEquals(List.of(), list(fs.backing), "nothing is left in the backing directory");
    }

    @Test
    void unsyncedCreateIsLostEvenAfterAnotherDirectoryWasFsynced() throws IOException {
        mount();
        Files.createDirectory(fs.path("d"));
        fsyncDirectory(fs.mountPoint);
        write(fs.path("x"), "x", true);
        fsyncDirectory(fs.path("d"));
        fs.powerLoss();
        assertTrue(Files.isDirectory(fs.path("d")));
        assertFalse(Files.exists(fs.path("x")));
    }

    @Test
    void renameWithDirectoryFsyncIsDurable() throws IOException {
        mount();
        write(fs.path("target"), "old", true);
        write(fs.path("tmp"), "new", true);
        fsyncDirectory(fs.mountPoint);
        Files.move(fs.path("tmp"), fs.path("target"), StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(fs.mountPoint);
        fs.powerLoss();
        assertEquals("new", read(fs.path("target")));
        assertFalse(Files.exists(fs.path("tmp")));
        assertEquals(List.of("target"), list(fs.backing), "the replaced file left no trace");
    }

    @Test
    void renameWithoutDirectoryFsyncIsUndoneAndTheReplacedFileComesBack() throws IOException {
        mount();
        write(fs.path("target"), "old", true);
        write(fs.path("tmp"), "new", true);
        fsyncDirectory(fs.mountPoint);
        Files.move(fs.path("tmp"), fs.path("target"), StandardCopyOption.ATOMIC_MOVE);
        assertEquals("new", read(fs.path("target")));
        fs.powerLoss();
        assertEquals("old", read(fs.path("target")));
        assertEquals("new", read(fs.path("tmp")));
    }

    @Test
    void unlinkWithoutDirectoryFsyncIsUndone() throws IOException {
        mount();
        write(fs.path("a"), "keep me", true);
        fsyncDirectory(fs.mountPoint);
        Files.delete(fs.path("a"));
        assertFalse(Files.exists(fs.path("a")));
        fs.powerLoss();
        assertEquals("keep me", read(fs.path("a")));
    }

    @Test
    void unlinkWithDirectoryFsyncIsDurable() throws IOException {
        mount();
        write(fs.path("a"), "bye", true);
        fsyncDirectory(fs.mountPoint);
        Files.delete(fs.path("a"));
        fsyncDirectory(fs.mountPoint);
        fs.powerLoss();
        assertFalse(Files.exists(fs.path("a")));
        assertEquals(List.of(), list(fs.backing));
    }

    @Test
    void fileInANewDirectoryNeedsTheParentFsyncedToo() throws IOException {
        mount();
        Files.createDirectory(fs.path("d"));
        write(fs.path("d/f"), "inner", true);
        fsyncDirectory(fs.path("d"));
        fs.powerLoss();
        assertFalse(Files.exists(fs.path("d")), "d's own entry in / was never made durable");

        Files.createDirectory(fs.path("d"));
        write(fs.path("d/f"), "inner", true);
        fsyncDirectory(fs.path("d"));
        fsyncDirectory(fs.mountPoint);
        fs.powerLoss();
        assertEquals("inner", read(fs.path("d/f")));
    }

    @Test
    void directoryRenameUndoneWithItsContents() throws IOException {
        mount();
        Files.createDirectory(fs.path("d"));
        write(fs.path("d/f"), "inner", true);
        fsyncDirectory(fs.path("d"));
        fsyncDirectory(fs.mountPoint);
        Files.move(fs.path("d"), fs.path("e"));
        write(fs.path("e/g"), "created after the rename", true);
        fsyncDirectory(fs.path("e"));
        fs.powerLoss();
        assertEquals("inner", read(fs.path("d/f")));
        assertFalse(Files.exists(fs.path("e")));
        assertEquals("created after the rename", read(fs.path("d/g")),
                "g's entry is durable in the directory itself, wherever that directory is");
    }

    @Test
    void crossDirectoryRenameCommittedByTheDestinationFsync() throws IOException {
        mount();
        Files.createDirectory(fs.path("src"));
        Files.createDirectory(fs.path("dst"));
        write(fs.path("src/f"), "moving", true);
        fsyncDirectory(fs.path("src"));
        fsyncDirectory(fs.mountPoint);
        Files.move(fs.path("src/f"), fs.path("dst/f"));
        fsyncDirectory(fs.path("dst"));
        fs.powerLoss();
        assertEquals("moving", read(fs.path("dst/f")));
        assertFalse(Files.exists(fs.path("src/f")), "a rename is committed as a whole");
    }

    @Test
    void hardLinkDurableOnlyWithDirectoryFsync() throws IOException {
        mount();
        write(fs.path("a"), "shared", true);
        fsyncDirectory(fs.mountPoint);
        Files.createLink(fs.path("b"), fs.path("a"));
        Files.createLink(fs.path("c"), fs.path("a"));
        assertEquals(Files.getAttribute(fs.path("a"), "unix:ino"), Files.getAttribute(fs.path("b"), "unix:ino"));
        assertEquals(3, Files.getAttribute(fs.path("a"), "unix:nlink"));
        fsyncDirectory(fs.mountPoint);
        Files.createLink(fs.path("d"), fs.path("a"));
        fs.powerLoss();
        assertEquals("shared", read(fs.path("c")));
        assertFalse(Files.exists(fs.path("d")));
    }

    @Test
    void unsyncedDataWrittenThroughOneLinkIsReadThroughTheOther() throws IOException {
        mount();
        write(fs.path("a"), "one", true);
        fsyncDirectory(fs.mountPoint);
        Files.createLink(fs.path("b"), fs.path("a"));
        FileOps.writeAt(fs.path("a"), 0, "ONE", false);
        assertEquals("ONE", read(fs.path("b")));
    }

    @Test
    void symlinkAndMkdirRmdirFollowTheModel() throws IOException {
        mount();
        Files.createSymbolicLink(fs.path("link"), Path.of("target-name"));
        Files.createDirectory(fs.path("kept"));
        Files.createDirectory(fs.path("gone"));
        fsyncDirectory(fs.mountPoint);
        assertEquals(Path.of("target-name"), Files.readSymbolicLink(fs.path("link")));
        Files.delete(fs.path("gone"));
        Files.delete(fs.path("link"));
        fs.powerLoss();
        assertTrue(Files.isDirectory(fs.path("gone")), "the rmdir was never made durable");
        assertEquals(Path.of("target-name"), Files.readSymbolicLink(fs.path("link")));
        assertTrue(Files.isDirectory(fs.path("kept")));
    }

    @Test
    void trashIsInvisibleAndUnusable() throws IOException {
        mount();
        write(fs.path("a"), "x", false);
        Files.delete(fs.path("a"));
        assertEquals(List.of(), list(fs.mountPoint));
        assertFalse(Files.exists(fs.path(Namespace.TRASH_NAME)));
        assertThrows(FileSystemException.class, () -> Files.createDirectory(fs.path(Namespace.TRASH_NAME)));
        assertTrue(Files.isDirectory(fs.backing.resolve(Namespace.TRASH_NAME)));
    }

    @Test
    void renameErrorsAreThoseOfRename2() throws IOException {
        mount();
        Files.createDirectory(fs.path("dir"));
        write(fs.path("dir/inside"), "x", false);
        write(fs.path("file"), "y", false);
        assertThrows(FileSystemException.class, () -> Files.move(fs.path("file"), fs.path("dir"),
                StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE));
        assertThrows(FileSystemException.class, () -> Files.move(fs.path("dir"), fs.path("dir/sub"),
                StandardCopyOption.ATOMIC_MOVE));
        assertEquals("y", read(fs.path("file")));
        assertEquals("x", read(fs.path("dir/inside")));
        assertEquals(0, list(fs.backing.resolve(Namespace.TRASH_NAME)).size(), "failed renames leave no trash");
    }

    @Test
    void statsCountPendingNamespaceOps() throws IOException {
        mount();
        write(fs.path("a"), "x", false);
        Files.createDirectory(fs.path("d"));
        assertTrue(fs.control().stats().contains(" pending_ops=2 "), fs.control().stats());
        fsync(fs.path("a"));
        assertTrue(fs.control().stats().contains(" pending_ops=2 "), "a file fsync commits no names");
        fsyncDirectory(fs.mountPoint);
        assertTrue(fs.control().stats().contains(" pending_ops=0 "), fs.control().stats());
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> !name.equals(Namespace.TRASH_NAME))
                    .sorted().toList();
        }
    }

}
