package leasekv.checker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import leasekv.checker.edn.EdnData;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.JsonWriter;
import leasekv.checker.edn.Keyword;
import leasekv.checker.report.SvgDiagram;

/**
 * The verdict on a whole history, in Jepsen's shape:
 * {@code {:valid? true|false|:unknown, :results {key {...}}, :failures [key ...], ...}}. Keys are merged
 * the Jepsen way: false beats unknown, unknown beats true.
 */
public final class CheckResult implements EdnData {
    private final Validity validity;
    private final Map<Object, KeyResult> results;
    private final String modelName;
    private final boolean independent;
    private final int opCount;
    private final long elapsedNanos;

    public CheckResult(Map<Object, KeyResult> results, String modelName, boolean independent, int opCount,
            long elapsedNanos) {
        Validity merged = Validity.VALID;
        for (KeyResult result : results.values()) {
            merged = merged.merge(result.validity());
        }
        this.validity = merged;
        this.results = Collections.unmodifiableMap(new LinkedHashMap<>(results));
        this.modelName = modelName;
        this.independent = independent;
        this.opCount = opCount;
        this.elapsedNanos = elapsedNanos;
    }

    public Validity validity() {
        return validity;
    }

    public boolean isValid() {
        return validity == Validity.VALID;
    }

    /** {@code true}, {@code false} or the keyword {@code :unknown}, as Jepsen's {@code :valid?}. */
    public Object validEdnValue() {
        return validity.toEdnValue();
    }

    /** Per key, in order of first appearance; the single key of a history without keys is null. */
    public Map<Object, KeyResult> results() {
        return results;
    }

    public KeyResult result(Object key) {
        return results.get(Values.normalize(key));
    }

    /** Keys whose verdict is invalid. */
    public List<Object> failures() {
        return keysWith(Validity.INVALID);
    }

    /** Keys whose verdict is unknown. */
    public List<Object> unknownKeys() {
        return keysWith(Validity.UNKNOWN);
    }

    /** One stale read per invalid key whose failing op is a read of an old value. */
    public List<StaleRead> staleReads() {
        List<StaleRead> reads = new ArrayList<>();
        for (KeyResult result : results.values()) {
            if (result.staleRead() != null) {
                reads.add(result.staleRead());
            }
        }
        return reads;
    }

    /** Every invalid key's explanation, one per line; empty when valid. */
    public String explanation() {
        StringBuilder text = new StringBuilder();
        for (KeyResult result : results.values()) {
            if (result.validity() == Validity.INVALID) {
                if (independent) {
                    text.append("Key ").append(EdnWriter.write(result.key())).append(": ");
                }
                text.append(result.explanation()).append('\n');
            } else if (result.validity() == Validity.UNKNOWN) {
                if (independent) {
                    text.append("Key ").append(EdnWriter.write(result.key())).append(": ");
                }
                text.append("unknown: ").append(result.reason()).append('\n');
            }
        }
        return text.toString();
    }

    /** Every invalid key's {@link KeyResult#nilReadHint() hint}, one per line; empty when there is none. */
    public String hints() {
        StringBuilder text = new StringBuilder();
        for (KeyResult result : results.values()) {
            if (result.nilReadHint() != null) {
                if (independent) {
                    text.append("Key ").append(EdnWriter.write(result.key())).append(": ");
                }
                text.append(result.nilReadHint()).append('\n');
            }
        }
        return text.toString();
    }

    public String modelName() {
        return modelName;
    }

    public boolean independent() {
        return independent;
    }

    /** Ops in the history, nemesis and failed ops included. */
    public int opCount() {
        return opCount;
    }

    public long elapsedNanos() {
        return elapsedNanos;
    }

    public long elapsedMillis() {
        return elapsedNanos / 1_000_000;
    }

    @Override
    public Map<Object, Object> toEdnData() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(Keyword.of("valid?"), validity.toEdnValue());
        map.put(Keyword.of("model"), Keyword.of(modelName));
        map.put(Keyword.of("independent?"), independent);
        map.put(Keyword.of("op-count"), opCount);
        map.put(Keyword.of("key-count"), results.size());
        map.put(Keyword.of("failures"), failures());
        map.put(Keyword.of("unknown-keys"), unknownKeys());
        map.put(Keyword.of("stale-reads"), staleReads());
        map.put(Keyword.of("elapsed-ms"), Math.round(elapsedNanos / 1e4) / 100.0);
        map.put(Keyword.of("results"), new LinkedHashMap<Object, Object>(results));
        return map;
    }

    /** The result as EDN text. */
    public String toEdn() {
        return EdnWriter.write(this);
    }

    /** The result as JSON text (keywords become strings; the key of a history without keys is "nil"). */
    public String toJson() {
        return JsonWriter.write(this);
    }

    /**
     * Writes the failure diagram of the first invalid key to {@code file}.
     *
     * @return false (writing nothing) when no key is invalid
     */
    public boolean writeSvg(Path file) {
        for (KeyResult result : results.values()) {
            if (result.validity() == Validity.INVALID) {
                write(file, SvgDiagram.render(result));
                return true;
            }
        }
        return false;
    }

    /** Writes one diagram per invalid key into {@code directory} (created if needed); returns the files. */
    public List<Path> writeSvgs(Path directory) {
        List<Path> written = new ArrayList<>();
        for (KeyResult result : results.values()) {
            if (result.validity() == Validity.INVALID) {
                Path file = directory.resolve(SvgDiagram.fileName(result.key(), independent));
                write(file, SvgDiagram.render(result));
                written.add(file);
            }
        }
        return written;
    }

    private static void write(Path file, String svg) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, svg, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private List<Object> keysWith(Validity wanted) {
        List<Object> keys = new ArrayList<>();
        for (KeyResult result : results.values()) {
            if (result.validity() == wanted) {
                keys.add(result.key());
            }
        }
        return keys;
    }

    @Override
    public String toString() {
        return "CheckResult{" + validity.word() + ", " + results.size() + " keys, " + opCount + " ops}";
    }
}
