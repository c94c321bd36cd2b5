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
 * # source        [lane]          delay in milliseconds
 * 10.78.0.12                      800
 * *               replication     150      (every source, only its Raft append connections)
 * *                               0        (any other source; the default when no line matches is 0)
 * </pre>
 *
 * A lane ({@code control}, {@code replication}, {@code snapshot}) is the leasekv peer connection
 * kind the proxy read from the connection's handshake ({@link LaneSniffer}); a line without one
 * applies to every lane. The most specific line wins: source and lane, then source, then any source
 * with the lane, then {@code *}.
 *
 * A missing file means no delay. The file is re-read by {@link #refresh()} when its modification
 * time or size changed; a malformed file keeps the previous rules and says why (so a half-written
 * file never delays everything by accident: the harness writes a temporary file and renames it).
 */
final class DelayRules {
    /** One parsed file: delays by (source, lane); null parts of a key mean "any". */
    record Table(Map<Key, Long> delayMillisByKey) {
        static final Table NONE = new Table(Map.of());

        long delayMillisFor(InetAddress source, String lane) {
            String address = source.getHostAddress();
            for (Key k : new Key[] {new Key(address, lane), new Key(address, null), new Key(null, lane), new Key(null, null)}) {
                Long d = delayMillisByKey.get(k);
                if (d != null) return d;
            }
            return 0;
        }
    }

    /** A rule's scope: the source address (null: any) and the lane (null: any). */
    record Key(String source, String lane) {}

    static final List<String> LANES = List.of("control", "replication", "snapshot");

    private final Path file;
    private volatile Table table = Table.NONE;
    private long seenModifiedMillis = Long.MIN_VALUE;
    private long seenSize = -1;

    DelayRules(Path file) {
        this.file = file;
    }

    /** The delay for bytes from {@code source} on a connection of {@code lane} (null: unknown). */
    long delayMillisFor(InetAddress source, String lane) {
        return table.delayMillisFor(source, lane);
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
        Map<Key, Long> byKey = new HashMap<>();
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.strip();
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash).strip();
            if (line.isEmpty()) continue;
            String[] words = line.split("\\s+");
            if (words.length != 2 && words.length != 3) {
                throw new IllegalArgumentException("line " + number + ": expected 'SOURCE [LANE] DELAY_MS', got '" + raw + "'");
            }
            String lane = words.length == 3 ? words[1] : null;
            if (lane != null && !LANES.contains(lane)) {
                throw new IllegalArgumentException("line " + number + ": lane '" + lane + "' is not one of " + LANES);
            }
            String delay = words[words.length - 1];
            long millis;
            try {
                millis = Long.parseLong(delay);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("line " + number + ": delay '" + delay + "' is not a whole number of ms");
            }
            if (millis < 0 || millis > 600_000) {
                throw new IllegalArgumentException("line " + number + ": delay " + millis + " ms is outside 0..600000");
            }
            String source = words[0].equals("*") ? null : canonical(words[0], number);
            byKey.put(new Key(source, lane), millis);
        }
        return new Table(Map.copyOf(byKey));
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
        if (t.delayMillisByKey().isEmpty()) return "no delay";
        StringBuilder b = new StringBuilder();
        t.delayMillisByKey().entrySet().stream()
                .map(e -> (e.getKey().source() == null ? "*" : e.getKey().source())
                        + (e.getKey().lane() == null ? "" : "/" + e.getKey().lane()) + "=" + e.getValue() + "ms")
                .sorted()
                .forEach(x -> b.append(b.length() == 0 ? "" : " ").append(x));
        return b.toString();
    }
}
