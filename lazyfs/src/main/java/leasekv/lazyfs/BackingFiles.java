package leasekv.lazyfs;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Whole-tree helpers on the backing directory, where the NIO API is the simplest tool. */
final class BackingFiles {
    private BackingFiles() {
    }

    /** Deletes {@code path} and, for a directory, everything below it; never follows symlinks. */
    static void deleteRecursively(String path) throws ErrnoException {
        Path start = Path.of(path);
        if (!Files.exists(start, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                    if (failure != null) {
                        throw failure;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // raced with nothing (we hold the namespace lock); an entry that is gone needs no deleting
        } catch (IOException e) {
            throw new ErrnoException(Posix.EIO, "delete", path + " (" + e + ")");
        }
    }

    static boolean isEmptyDirectory(String path) throws ErrnoException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(path))) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            throw new ErrnoException(Posix.EIO, "opendir", path + " (" + e + ")");
        }
    }

    /** The names in a directory, without "." and "..". */
    static List<String> list(String path) throws ErrnoException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of(path))) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (java.nio.file.NotDirectoryException e) {
            throw new ErrnoException(Posix.ENOTDIR, "opendir", path);
        } catch (NoSuchFileException e) {
            throw new ErrnoException(Posix.ENOENT, "opendir", path);
        } catch (IOException e) {
            throw new ErrnoException(Posix.EIO, "opendir", path + " (" + e + ")");
        }
        return names;
    }
}
