package leasekv.lazyfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Unmounts a FUSE mount, live or dead (its process killed: "Transport endpoint is not connected"):
 * {@code fusermount -u}, then a lazy {@code fusermount -uz}, then {@code umount -l}.
 */
public final class Unmounter {
    private Unmounter() {
    }

    /** Whether {@code mountPoint} is a mount point now, by /proc/self/mountinfo (works for dead mounts). */
    public static boolean isMounted(Path mountPoint) throws IOException {
        String wanted = mountPoint.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && unescape(fields[4]).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                try {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException notEscape) {
                    // a lone backslash
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Unmounts; answers what it did ("not mounted", "unmounted", "lazily unmounted"); throws if it cannot. */
    public static String unmount(Path mountPoint) throws IOException {
        String path = mountPoint.toAbsolutePath().normalize().toString();
        if (!isMounted(mountPoint)) {
            return "not mounted";
        }
        String fusermount = fusermount();
        List<String> tried = new ArrayList<>();
        // Re-check after a failure too: someone else (jnr-fuse's own shutdown hook) may have won the race.
        if (fusermount != null) {
            run(tried, fusermount, "-u", path);
            if (!isMounted(mountPoint)) {
                return "unmounted";
            }
            run(tried, fusermount, "-u", "-z", path);
            if (!isMounted(mountPoint)) {
                return "lazily unmounted";
            }
        }
        run(tried, "umount", "-l", path);
        if (!isMounted(mountPoint)) {
            return "lazily unmounted";
        }
        throw new IOException("could not unmount " + path + ": " + String.join("; ", tried));
    }

    private static String fusermount() {
        for (String candidate : new String[] {"/usr/bin/fusermount", "/bin/fusermount", "/usr/bin/fusermount3",
                "/bin/fusermount3"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    /** Runs a command; a failure is noted in {@code tried}. */
    private static boolean run(List<String> tried, String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes()).trim();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                tried.add(String.join(" ", command) + ": timed out");
                return false;
            }
            if (process.exitValue() != 0) {
                tried.add(String.join(" ", command) + ": exit " + process.exitValue() + " " + output);
                return false;
            }
            return true;
        } catch (IOException e) {
            tried.add(String.join(" ", command) + ": " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tried.add(String.join(" ", command) + ": interrupted");
            return false;
        }
    }
}
