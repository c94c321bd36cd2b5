package leasekv.checker.gen;

/**
 * What {@link HistoryGenerator} makes.
 *
 * @param workload which object and operations
 * @param keys independent keys; with {@code independent} the values are {@code [key value]} tuples
 * @param processesPerKey concurrent client threads per key
 * @param opsPerKey invocations per key
 * @param infoRate fraction of ops that crash ({@code :info})
 * @param neverCompleteRate fraction of crashed ops that have no completion at all
 * @param valueRange values written are 0 .. valueRange-1
 * @param maxGapMicros longest pause of a thread between two ops
 * @param maxLatencyMicros longest op
 */
public record GeneratorSpec(Workload workload, int keys, boolean independent, int processesPerKey, int opsPerKey,
        double infoRate, double neverCompleteRate, int valueRange, long maxGapMicros, long maxLatencyMicros, long seed) {

    /** The object a generated history exercises. */
    public enum Workload {
        REGISTER, CAS_REGISTER, MUTEX, SET, UNORDERED_QUEUE, FIFO_QUEUE, MULTI_REGISTER;

        /** The checker's model name for this workload. */
        public String modelName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public GeneratorSpec {
        if (keys < 1 || processesPerKey < 1 || opsPerKey < 0 || valueRange < 1) {
            throw new IllegalArgumentException("keys, processes and the value range must be positive");
        }
        if (keys > 1 && !independent) {
            throw new IllegalArgumentException("several keys need independent [key value] tuples");
        }
    }

    /** One key, 5 processes, 5% crashes, values 0..4: small enough to compare with brute force. */
    public static GeneratorSpec small(Workload workload, int ops, long seed) {
        return new GeneratorSpec(workload, 1, false, 5, ops, 0.05, 0.3, 5, 50, 100, seed);
    }

    public GeneratorSpec withKeys(int newKeys) {
        return new GeneratorSpec(workload, newKeys, newKeys > 1 || independent, processesPerKey, opsPerKey, infoRate,
                neverCompleteRate, valueRange, maxGapMicros, maxLatencyMicros, seed);
    }

    public GeneratorSpec withProcesses(int processes) {
        return new GeneratorSpec(workload, keys, independent, processes, opsPerKey, infoRate, neverCompleteRate,
                valueRange, maxGapMicros, maxLatencyMicros, seed);
    }

    public GeneratorSpec withInfoRate(double rate) {
        return new GeneratorSpec(workload, keys, independent, processesPerKey, opsPerKey, rate, neverCompleteRate,
                valueRange, maxGapMicros, maxLatencyMicros, seed);
    }

    public GeneratorSpec withValueRange(int range) {
        return new GeneratorSpec(workload, keys, independent, processesPerKey, opsPerKey, infoRate, neverCompleteRate,
                range, maxGapMicros, maxLatencyMicros, seed);
    }

    public GeneratorSpec withSeed(long newSeed) {
        return new GeneratorSpec(workload, keys, independent, processesPerKey, opsPerKey, infoRate, neverCompleteRate,
                valueRange, maxGapMicros, maxLatencyMicros, newSeed);
    }
}
