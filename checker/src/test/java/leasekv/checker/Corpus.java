package leasekv.checker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Knossos history corpus: checker/testdata in this repository (or, outside a checkout, a
 * shared/histories folder above the working directory; or the system property {@code
 * leasekv.histories} or the environment variable {@code LEASEKV_HISTORIES}).
 */
public final class Corpus {
    private static final Pattern MODEL = Pattern.compile("^([a-z-]+)\\(init (.*?)(?:, :f :\\w+)?\\)$");

    /** One MANIFEST.tsv row: the file, its model and initial value, and whether it is linearizable. */
    record Entry(Path file, String model, String initialEdn, boolean linearizable) {
        String name() {
            return file.getParent().getParent().getFileName() + "/" + file.getParent().getFileName() + "/" + file.getFileName();
        }
    }

    private Corpus() {
    }

    public static Path root() {
        String configured = System.getProperty("leasekv.histories", System.getenv("LEASEKV_HISTORIES"));
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path vendored = dir.resolve("testdata");
            if (dir.getFileName() != null && dir.getFileName().toString().equals("checker")
                    && Files.exists(vendored.resolve("MANIFEST.tsv"))) {
                return vendored;
            }
            Path candidate = dir.resolve("shared").resolve("histories");
            if (Files.exists(candidate.resolve("MANIFEST.tsv"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot find checker/testdata/MANIFEST.tsv or shared/histories/MANIFEST.tsv above " + Path.of("").toAbsolutePath()
                + "; set -Dleasekv.histories=DIR");
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    static List<Entry> entries() {
        Path root = root();
        try {
            List<Entry> entries = new ArrayList<>();
            List<String> lines = Files.readAllLines(root.resolve("MANIFEST.tsv"));
            for (String line : lines.subList(1, lines.size())) {
                String[] columns = line.split("\t");
                Matcher model = MODEL.matcher(columns[2]);
                if (!model.matches()) {
                    throw new IllegalStateException("unexpected model column: " + columns[2]);
                }
                entries.add(new Entry(root.resolve(columns[0]), model.group(1), model.group(2),
                        Boolean.parseBoolean(columns[3])));
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
