package leasekv.checker.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import leasekv.checker.CheckOptions;
import leasekv.checker.CheckResult;
import leasekv.checker.Checker;
import leasekv.checker.KeyResult;
import leasekv.checker.NilReads;
import leasekv.checker.Op;
import leasekv.checker.OpType;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.JsonWriter;
import leasekv.checker.gen.CrashHistoryGenerator;
import leasekv.checker.gen.CrashHistorySpec;
import leasekv.checker.gen.GeneratorSpec;
import leasekv.checker.gen.HistoryGenerator;
import leasekv.checker.gen.HistoryMutation;

/**
 * The checker's benchmark: prints figures (wall time, peak heap), asserts nothing. Run each case in a
 * fresh JVM (see checker/bench/run-benchmarks.sh) so that peak heap belongs to that case alone.
 *
 * <pre>
 * generate WORKLOAD KEYS PROCESSES OPS_PER_KEY INFO_RATE SEED FILE [CORRUPT_AT]  write a history.edn;
 *     CORRUPT_AT (0..1) makes one :ok read that far into it return nil, to make it invalid
 * crash-history FILE [KNOB=VALUE]... [mutation=stale-read|lost-write|nil-read] [at=0.9] [jsonl=FILE]
 *     write a register history shaped like a kill and power-loss run ({@link CrashHistorySpec#with} names the
 *     knobs), optionally made invalid at one read, and optionally the same ops as JSON lines
 * corpus MANIFEST_DIR                                                check the Knossos corpus in one JVM
 * etcd LOG_DIR             check Porcupine's Jepsen etcd logs (etcd_NNN.log, {@link EtcdLog}) in one JVM
 * check MODEL INITIAL_EDN TIME_LIMIT_S FILE                          check one file (parse included)
 * </pre>
 */
public final class Benchmark {
    private Benchmark() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: Benchmark generate|corpus|check ...");
        }
        switch (args[0]) {
            case "generate": generate(args); break;
            case "crash-history": crashHistory(args); break;
            case "corpus": corpus(Path.of(args[1])); break;
            case "etcd": etcd(Path.of(args[1])); break;
            case "check": check(args[1], args[2], Double.parseDouble(args[3]), Path.of(args[4])); break;
            default: throw new IllegalArgumentException("unknown benchmark command " + args[0]);
        }
    }

    private static void generate(String[] args) throws IOException {
        GeneratorSpec.Workload workload = GeneratorSpec.Workload.valueOf(args[1].toUpperCase(Locale.ROOT).replace('-', '_'));
        int keys = Integer.parseInt(args[2]);
        GeneratorSpec spec = new GeneratorSpec(workload, keys, keys > 1, Integer.parseInt(args[3]),
                Integer.parseInt(args[4]), Double.parseDouble(args[5]), 0.5, 5, 2000, 5000, Long.parseLong(args[6]));
        Path file = Path.of(args[7]);
        // Optionally make the :ok read found at this fraction of the history return nil, the key absent (as a
        // node serving reads before replaying its log would); nil was the initial value, so only a search refutes it.
        long corruptAt = args.length > 8 ? (long) (Double.parseDouble(args[8]) * spec.keys() * spec.opsPerKey() * 2) : -1;
        long start = System.nanoTime();
        long[] count = {0};
        boolean[] corrupted = {false};
        try (Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            out.write("[");
            StringBuilder line = new StringBuilder();
            HistoryGenerator.generate(spec, original -> {
                Op op = original;
                if (!corrupted[0] && corruptAt >= 0 && count[0] >= corruptAt && op.type() == OpType.OK
                        && op.f().equals("read") && op.value() instanceof Long) {
                    op = op.withValue(null);
                    corrupted[0] = true;
                    System.out.println("corrupted the read at op index " + op.index() + ": " + original.value()
                            + " -> " + op.value());
                }
                line.setLength(0);
                EdnWriter.write(op, line);
                line.append('\n');
                write(out, line);
                count[0]++;
            });
            out.write("]\n");
        }
        System.out.printf(Locale.ROOT, "generated %d ops (%s) into %s in %.1f s, %d MiB%n", count[0], spec, file,
                (System.nanoTime() - start) / 1e9, Files.size(file) >> 20);
    }

    private static void crashHistory(String[] args) throws IOException {
        CrashHistorySpec spec = CrashHistorySpec.killRun(100, 5, 1000, 1);
        HistoryMutation mutation = null;
        double at = 0.9;
        Path jsonl = null;
        for (int i = 2; i < args.length; i++) {
            String[] knob = args[i].split("=", 2);
            if (knob.length != 2) {
                throw new IllegalArgumentException("expected KNOB=VALUE, found " + args[i]);
            }
            switch (knob[0]) {
                case "mutation": mutation = HistoryMutation.parse(knob[1]); break;
                case "at": at = Double.parseDouble(knob[1]); break;
                case "jsonl": jsonl = Path.of(knob[1]); break;
                default: spec = spec.with(knob[0], knob[1]);
            }
        }
        Path file = Path.of(args[1]);
        long start = System.nanoTime();
        long[] count = {0};
        CrashHistoryGenerator.Mutated mutated;
        try (Writer edn = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
                Writer json = jsonl == null ? Writer.nullWriter()
                        : new BufferedWriter(Files.newBufferedWriter(jsonl, StandardCharsets.UTF_8), 1 << 16)) {
            edn.write("[");
            StringBuilder line = new StringBuilder();
            boolean withJson = jsonl != null;
            mutated = CrashHistoryGenerator.generate(spec, mutation, at, op -> {
                line.setLength(0);
                EdnWriter.write(op, line);
                line.append('\n');
                write(edn, line);
                if (withJson) {
                    line.setLength(0);
                    JsonWriter.write(op, line);
                    line.append('\n');
                    write(json, line);
                }
                count[0]++;
            });
            edn.write("]\n");
        }
        System.out.printf(Locale.ROOT, "generated %d ops (%s) into %s in %.1f s, %d MiB%n", count[0], spec.describe(),
                file, (System.nanoTime() - start) / 1e9, Files.size(file) >> 20);
        if (mutated != null) {
            System.out.println("mutated: " + mutated.description());
        }
    }

    private static void write(Writer out, CharSequence text) {
        try {
            out.append(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final Pattern MODEL = Pattern.compile("^([a-z-]+)\\(init (.*?)(?:, :f :\\w+)?\\)$");

    private static void corpus(Path root) throws IOException {
        List<String> lines = Files.readAllLines(root.resolve("MANIFEST.tsv"));
        resetPeaks();
        long start = System.nanoTime();
        int agreed = 0;
        long worstNanos = 0;
        String worst = "";
        List<String> rows = new ArrayList<>(lines.subList(1, lines.size()));
        for (String row : rows) {
            String[] columns = row.split("\t");
            Matcher model = MODEL.matcher(columns[2]);
            if (!model.matches()) {
                throw new IllegalStateException("unexpected model column " + columns[2]);
            }
            CheckOptions options = CheckOptions.builder().model(model.group(1)).initialEdn(model.group(2))
                    .nilReads(NilReads.ANYTHING).build();
            long fileStart = System.nanoTime();
            CheckResult result = new Checker(options).checkFile(root.resolve(columns[0]));
            long fileNanos = System.nanoTime() - fileStart;
            if (fileNanos > worstNanos) {
                worstNanos = fileNanos;
                worst = columns[0];
            }
            agreed += result.isValid() == Boolean.parseBoolean(columns[3]) ? 1 : 0;
        }
        System.out.printf(Locale.ROOT, "corpus: %d histories, %d verdicts as expected, %.0f ms total, worst %s %.1f ms,"
                + " peak heap %d MiB%n", rows.size(), agreed, (System.nanoTime() - start) / 1e6, worst, worstNanos / 1e6,
                peakHeapBytes() >> 20);
    }

    private static void etcd(Path dir) throws IOException {
        Checker checker = new Checker(CheckOptions.builder().model("cas-register").initialEdn("nil").build());
        resetPeaks();
        long start = System.nanoTime();
        int agreed = 0;
        int checked = 0;
        long worstNanos = 0;
        for (int n = 0; n <= 102; n++) {
            if (n == EtcdLog.WITHOUT_EXPECTATION) {
                continue;
            }
            long fileStart = System.nanoTime();
            CheckResult result = checker.check(EtcdLog.read(dir.resolve(String.format("etcd_%03d.log", n))));
            worstNanos = Math.max(worstNanos, System.nanoTime() - fileStart);
            agreed += result.isValid() == EtcdLog.LINEARIZABLE.contains(n) ? 1 : 0;
            checked++;
        }
        System.out.printf(Locale.ROOT, "etcd logs: %d histories, %d verdicts as Porcupine's tests expect, %.0f ms total,"
                + " worst %.1f ms, peak heap %d MiB%n", checked, agreed, (System.nanoTime() - start) / 1e6, worstNanos / 1e6,
                peakHeapBytes() >> 20);
    }

    private static void check(String model, String initialEdn, double timeLimitSeconds, Path file) {
        CheckOptions options = CheckOptions.builder().model(model).initialEdn(initialEdn)
                .timeLimitSeconds(timeLimitSeconds).build();
        resetPeaks();
        long start = System.nanoTime();
        CheckResult result = new Checker(options).checkFile(file);
        long nanos = System.nanoTime() - start;
        String cause = result.unknownKeys().isEmpty() ? "" : " cause " + result.result(result.unknownKeys().get(0)).cause();
        long configurations = 0;
        long mostOnOneKey = 0;
        for (KeyResult key : result.results().values()) {
            configurations += key.configurations();
            mostOnOneKey = Math.max(mostOnOneKey, key.configurations());
        }
        System.out.printf(Locale.ROOT, "%s: %s (%d keys, %d invalid, %d unknown%s), %d ops, %.2f s parse+check,"
                + " %d configurations (at most %d on a key), peak heap %d MiB, peak RSS %d MiB, max heap %d MiB%n",
                file.getFileName(), result.validity().word(), result.results().size(), result.failures().size(),
                result.unknownKeys().size(), cause, result.opCount(), nanos / 1e9, configurations, mostOnOneKey,
                peakHeapBytes() >> 20, peakRssKibibytes() >> 10, Runtime.getRuntime().maxMemory() >> 20);
    }

    private static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    /** The process's peak resident set (VmHWM), or -1 where /proc is missing. */
    private static long peakRssKibibytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The sum of each heap pool's peak: an upper bound on the heap in use at any one time. */
    private static long peakHeapBytes() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
