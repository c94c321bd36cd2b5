package leasekv.checker.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import leasekv.checker.CheckResult;
import leasekv.checker.Validity;

/**
 * Where {@code --svg DIR} writes the failure diagrams: DIR itself for one file, DIR/&lt;file name&gt;/ for
 * several. The directory is created and tried with a probe file before any history is searched, so a
 * path that cannot hold the diagrams is a usage error at once, not a failure after a long search.
 */
final class SvgOutput {
    private final Path directory;
    private final boolean onePerFile;

    private SvgOutput(Path directory, boolean onePerFile) {
        this.directory = directory;
        this.onePerFile = onePerFile;
    }

    /** @throws IllegalArgumentException naming the option, the path and why it cannot hold files */
    static SvgOutput prepare(String directory, int fileCount) {
        Path path = Path.of(directory);
        try {
            Files.createDirectories(path);
            Files.delete(Files.createTempFile(path, ".bin-checker-probe", ".svg"));
        } catch (IOException e) {
            throw new IllegalArgumentException("--svg " + directory + ": " + reason(e));
        }
        return new SvgOutput(path, fileCount > 1);
    }

    /**
     * Writes the diagrams of an invalid result.
     *
     * @throws UncheckedIOException with a message naming the file that could not be written
     */
    void write(CheckResult result, String historyFile) {
        if (result.validity() != Validity.INVALID) {
            return;
        }
        Path target = directory;
        if (onePerFile) {
            String base = historyFile.equals(Arguments.STDIN) ? "stdin"
                    : Path.of(historyFile).getFileName().toString().replaceFirst("\\.edn$", "");
            target = directory.resolve(base.replaceAll("[^A-Za-z0-9_.-]", "_"));
        }
        result.writeSvgs(target);
    }

    private static String reason(IOException e) {
        if (e instanceof FileAlreadyExistsException) {
            return "not a directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "cannot create a directory there";
        }
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.getMessage();
    }
}
