package leasekv.delayproxy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How long to hold the bytes that arrive from each source address, read from a small text file the
 * harness rewrites while the proxy runs:
 *
 * <pre>
 * # source        delay in milliseconds
 * 10.78.0.12      800
 * *               0        (any other source; the default when no line matches is 0)
 * </pre>
 *
 * A missing file means no delay. The file is re-read by {@link #refresh()} when its modification
 * time or size changed; a malformed file keeps the previous rules and says why (so a half-written
 * file never delays everything by accident: the harness writes a temporary file and renames it).
 */
final class DelayRules {
    /** One parsed file: per-address delays plus the default. */
    record Table(Map<String, Long> delayMillisBySource, long defaultDelayMillis) {
        static final Table NONE = new Table(Map.of(), 0);

        long delayMillisFor(InetAddress source) {
            Long d = delayMillisBySource.get(source.getHostAddress());
            return d != null ? d : defaultDelayMillis;
        }
    }

    private final Path file;
    private volatile Table table = Table.NONE;
    private long seenModifiedMillis = Long.MIN_VALUE;
    private long seenSize = -1;

    DelayRules(Path file) {
        this.file = file;
    }

    long delayMillisFor(InetAddress source) {
        return table.delayMillisFor(source);
    }

    Table table() {
        return table;
    }

    /**
     * Re-reads the file if it changed. Returns a line describing the new rules, or null when nothing
     * changed.
     */
    synchronized String refresh() {
        long modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file).toMillis();
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            if (seenSize == -1 && table == Table.NONE) return null;
            seenSize = -1;
            seenModifiedMillis = Long.MIN_VALUE;
            table = Table.NONE;
            return "rules file " + file + " is gone: no delay";
        } catch (IOException e) {
            return "cannot read " + file + ": " + e.getMessage() + " (keeping the current rules)";
        }
        if (modified == seenModifiedMillis && size == seenSize) return null;
        seenModifiedMillis = modified;
        seenSize = size;
        try {
            table = parse(Files.readAllLines(file, StandardCharsets.UTF_8));
            return "rules now " + describe(table);
        } catch (IllegalArgumentException | IOException e) {
            return "bad rules file " + file + ": " + e.getMessage() + " (keeping the current rules)";
        }
    }

    static Table parse(List<String> lines) {
        Map<String, Long> bySource = new HashMap<>();
        long fallback = 0;
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash).strip();
            if (line.isEmpty()) continue;
            String[] words = line.split("\\s+");
            if (words.length != 2) {
                throw new IllegalArgumentException("line " + number + ": expected 'SOURCE DELAY_MS', got '" + raw + "'");
            }
            long millis;
            try {
                millis = Long.parseLong(words[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + number + ": delay '" + words[1] + "' is not a whole number of ms");
            }
            if (millis < 0 || millis > 600_000) {
                throw new IllegalArgumentException("line " + number + ": delay " + millis + " ms is outside 0..600000");
            }
            if (words[0].equals("*")) {
                fallback = millis;
            } else {
                bySource.put(canonical(words[0], number), millis);
            }
        }
        return new Table(Map.copyOf(bySource), fallback);
    }

    private static String canonical(String address, int number) {
        if (!address.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IllegalArgumentException("line " + number + ": '" + address + "' is not an IP address or *");
        }
        try {
            return InetAddress.getByName(address).getHostAddress();
        } catch (IOException e) {
            throw new IllegalArgumentException("line " + number + ": '" + address + "' is not an IP address or *");
        }
    }

    static String describe(Table t) {
        StringBuilder b = new StringBuilder();
        t.delayMillisBySource().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> b.append(e.getKey()).append('=').append(e.getValue()).append("ms "));
        return b.append("*=").append(t.defaultDelayMillis()).append("ms").toString();
    }
}
