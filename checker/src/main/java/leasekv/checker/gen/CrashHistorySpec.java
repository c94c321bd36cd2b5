package leasekv.checker.gen;

import java.util.Locale;

/**
 * What {@link CrashHistoryGenerator} makes: register histories shaped like a Jepsen run with kills and
 * power loss. Independent keys ({@code [k v]} tuples); per key a few processes, each with one op in
 * flight; reads, writes and compare-and-sets of values unique per key; some ops crash ({@code :info},
 * {@code :error :timeout}) and their process is replaced by a fresh one.
 *
 * @param keys independent keys
 * @param minProcessesPerKey fewest client processes on one key (each key draws its count in the range)
 * @param maxProcessesPerKey most client processes on one key
 * @param invocationsPerKey client invocations per key (the history has about twice as many ops)
 * @param readFraction share of reads; writes and cas share the rest as {@code writeFraction} says
 * @param writeFraction share of writes; cas gets {@code 1 - readFraction - writeFraction}
 * @param casMatchRate how often a cas expects the value the register holds (else an older one: it fails)
 * @param crashRate share of all ops that crash ({@code :info}); the process is then retired. Only writes and
 *     cas crash (at {@code crashRate / (1 - readFraction)} each): a read that times out changed nothing,
 *     and the harness records it {@code :fail}
 * @param crashEffectRate share of crashed ops that took effect anyway
 * @param readAfterCrashRate how often the op linearized right after a crashed write (or cas) that took
 *     effect is a read, so it observes the crashed op's value
 * @param meanLatencyMicros mean time from invocation to completion of an op that does not crash
 * @param meanGapMicros mean time a process waits between a completion and its next invocation
 * @param timeoutMicros time from invocation to the {@code :info} of a crashed op; it may take effect at any
 *     point in between
 * @param seed random seed: the same spec gives the same history
 */
public record CrashHistorySpec(int keys, int minProcessesPerKey, int maxProcessesPerKey, int invocationsPerKey,
        double readFraction, double writeFraction, double casMatchRate, double crashRate, double crashEffectRate,
        double readAfterCrashRate, long meanLatencyMicros, long meanGapMicros, long timeoutMicros, long seed) {

    public CrashHistorySpec {
        if (keys < 1 || minProcessesPerKey < 1 || maxProcessesPerKey < minProcessesPerKey || invocationsPerKey < 0) {
            throw new IllegalArgumentException("keys and processes must be positive, and min processes <= max");
        }
        if (!isFraction(readFraction) || !isFraction(writeFraction) || readFraction + writeFraction > 1
                || !isFraction(casMatchRate) || !isFraction(crashRate) || !isFraction(crashEffectRate)
                || !isFraction(readAfterCrashRate)) {
            throw new IllegalArgumentException("fractions and rates must be within 0..1, reads + writes at most 1");
        }
        if (meanLatencyMicros < 1 || meanGapMicros < 0 || timeoutMicros < 2) {
            throw new IllegalArgumentException("latency must be positive, gap non-negative, timeout at least 2 us");
        }
    }

    /**
     * The shape of a kill and power-loss run: 5% of ops crash, half of those took effect, and 70% of the
     * crashed writes that took effect are read right after; reads 50%, writes 30%, cas 20% (half of them
     * expecting the current value); op latency 1 ms against a 1 ms pause, and a 10 ms timeout.
     */
    public static CrashHistorySpec killRun(int keys, int processesPerKey, int invocationsPerKey, long seed) {
        return new CrashHistorySpec(keys, processesPerKey, processesPerKey, invocationsPerKey, 0.5, 0.3, 0.5, 0.05,
                0.5, 0.7, 1000, 1000, 10_000, seed);
    }

    public CrashHistorySpec withProcesses(int min, int max) {
        return new CrashHistorySpec(keys, min, max, invocationsPerKey, readFraction, writeFraction, casMatchRate,
                crashRate, crashEffectRate, readAfterCrashRate, meanLatencyMicros, meanGapMicros, timeoutMicros, seed);
    }

    public CrashHistorySpec withCrashes(double rate, double effectRate, double readAfter) {
        return new CrashHistorySpec(keys, minProcessesPerKey, maxProcessesPerKey, invocationsPerKey, readFraction,
                writeFraction, casMatchRate, rate, effectRate, readAfter, meanLatencyMicros, meanGapMicros,
                timeoutMicros, seed);
    }

    public CrashHistorySpec withMix(double reads, double writes, double casMatch) {
        return new CrashHistorySpec(keys, minProcessesPerKey, maxProcessesPerKey, invocationsPerKey, reads, writes,
                casMatch, crashRate, crashEffectRate, readAfterCrashRate, meanLatencyMicros, meanGapMicros,
                timeoutMicros, seed);
    }

    /** Op latency against the pause between ops: their ratio sets how many ops overlap. */
    public CrashHistorySpec withTiming(long latencyMicros, long gapMicros, long timeout) {
        return new CrashHistorySpec(keys, minProcessesPerKey, maxProcessesPerKey, invocationsPerKey, readFraction,
                writeFraction, casMatchRate, crashRate, crashEffectRate, readAfterCrashRate, latencyMicros, gapMicros,
                timeout, seed);
    }

    public CrashHistorySpec withSeed(long newSeed) {
        return new CrashHistorySpec(keys, minProcessesPerKey, maxProcessesPerKey, invocationsPerKey, readFraction,
                writeFraction, casMatchRate, crashRate, crashEffectRate, readAfterCrashRate, meanLatencyMicros,
                meanGapMicros, timeoutMicros, newSeed);
    }

    /**
     * This spec with one knob changed, by the name the benchmark's command line uses: {@code keys},
     * {@code processes} (N or MIN-MAX), {@code invocations}, {@code reads}, {@code writes}, {@code cas-match},
     * {@code crash}, {@code effect}, {@code read-after-crash}, {@code latency-us}, {@code gap-us},
     * {@code timeout-us}, {@code seed}.
     */
    public CrashHistorySpec with(String knob, String value) {
        switch (knob) {
            case "keys": return new CrashHistorySpec(Integer.parseInt(value), minProcessesPerKey, maxProcessesPerKey,
                    invocationsPerKey, readFraction, writeFraction, casMatchRate, crashRate, crashEffectRate,
                    readAfterCrashRate, meanLatencyMicros, meanGapMicros, timeoutMicros, seed);
            case "processes": {
                String[] range = value.split("-", 2);
                return withProcesses(Integer.parseInt(range[0]), Integer.parseInt(range[range.length - 1]));
            }
            case "invocations": return new CrashHistorySpec(keys, minProcessesPerKey, maxProcessesPerKey,
                    Integer.parseInt(value), readFraction, writeFraction, casMatchRate, crashRate, crashEffectRate,
                    readAfterCrashRate, meanLatencyMicros, meanGapMicros, timeoutMicros, seed);
            case "reads": return withMix(Double.parseDouble(value), writeFraction, casMatchRate);
            case "writes": return withMix(readFraction, Double.parseDouble(value), casMatchRate);
            case "cas-match": return withMix(readFraction, writeFraction, Double.parseDouble(value));
            case "crash": return withCrashes(Double.parseDouble(value), crashEffectRate, readAfterCrashRate);
            case "effect": return withCrashes(crashRate, Double.parseDouble(value), readAfterCrashRate);
            case "read-after-crash": return withCrashes(crashRate, crashEffectRate, Double.parseDouble(value));
            case "latency-us": return withTiming(Long.parseLong(value), meanGapMicros, timeoutMicros);
            case "gap-us": return withTiming(meanLatencyMicros, Long.parseLong(value), timeoutMicros);
            case "timeout-us": return withTiming(meanLatencyMicros, meanGapMicros, Long.parseLong(value));
            case "seed": return withSeed(Long.parseLong(value));
            default: throw new IllegalArgumentException("unknown knob '" + knob + "'");
        }
    }

    /** One line for benchmark output. */
    public String describe() {
        return String.format(Locale.ROOT, "%d keys x %d invocations, %s processes/key, reads %.2f writes %.2f"
                + " cas %.2f (match %.2f), crash %.3f (effect %.2f, read after %.2f), latency %d us gap %d us"
                + " timeout %d us, seed %d", keys, invocationsPerKey, minProcessesPerKey == maxProcessesPerKey
                ? String.valueOf(minProcessesPerKey) : minProcessesPerKey + "-" + maxProcessesPerKey, readFraction,
                writeFraction, 1 - readFraction - writeFraction, casMatchRate, crashRate, crashEffectRate,
                readAfterCrashRate, meanLatencyMicros, meanGapMicros, timeoutMicros, seed);
    }

    private static boolean isFraction(double value) {
        return value >= 0 && value <= 1;
    }
}
