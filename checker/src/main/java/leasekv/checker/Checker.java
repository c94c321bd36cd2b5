package leasekv.checker;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import leasekv.checker.history.HistoryReader;
import leasekv.checker.history.KeyHistory;
import leasekv.checker.history.Partitioner;
import leasekv.checker.history.PreparedHistory;
import leasekv.checker.model.Model;
import leasekv.checker.model.MultiRegisterModel;
import leasekv.checker.search.LinearizabilitySearch;
import leasekv.checker.search.MemoryBudget;
import leasekv.checker.search.SearchLimits;
import leasekv.checker.search.SearchOutcome;

/**
 * Checks histories for linearizability. Thread-safe and reusable: one Checker can check many histories.
 *
 * <pre>{@code
 * Checker checker = new Checker(CheckOptions.builder().model("cas-register").initialEdn("nil").build());
 * CheckResult result = checker.checkFile("results/latest/history.edn");
 * System.out.println(result.toEdn());
 * }</pre>
 *
 * Bad input throws {@link HistoryException} naming the op index and the problem; limits never throw, they
 * make the affected keys {@code :unknown}.
 */
public final class Checker {
    private static final long STRAGGLER_GRACE_MILLIS = 5_000;

    private final CheckOptions options;

    public Checker(CheckOptions options) {
        this.options = options;
    }

    /** A checker with {@link CheckOptions#fromEdn(String) options given as EDN}. */
    public static Checker fromEdn(String optionsEdn) {
        return new Checker(CheckOptions.fromEdn(optionsEdn));
    }

    public CheckOptions options() {
        return options;
    }

    /** Reads a history.edn (any of the shapes {@link HistoryReader} accepts). */
    public static List<Op> readHistory(String path) {
        return HistoryReader.read(Path.of(path));
    }

    public CheckResult checkFile(String path) {
        return checkFile(Path.of(path));
    }

    public CheckResult checkFile(Path path) {
        long start = System.nanoTime();
        List<Op> ops = HistoryReader.read(path, options.parallelism());
        try {
            return check(ops, start);
        } catch (HistoryException e) {
            throw e.from(path.toString());
        }
    }

    /** Checks a history read from a stream, such as standard input; {@code sourceName} names it in errors. */
    public CheckResult check(InputStream in, String sourceName) {
        long start = System.nanoTime();
        List<Op> ops = HistoryReader.read(in, sourceName);
        try {
            return check(ops, start);
        } catch (HistoryException e) {
            throw e.from(sourceName);
        }
    }

    /**
     * Checks a history held in memory. Elements may be {@link Op}s or maps such as Clojure's
     * {@code {:process 0 :type :invoke :f :read :value nil}}; an element without an index gets its position.
     */
    public CheckResult check(List<?> history) {
        return check(toOps(history), System.nanoTime());
    }

    private CheckResult check(List<Op> ops, long start) {
        Model model = options.createModel();
        PreparedHistory prepared = Partitioner.prepare(ops, model, options.independentKeys(),
                model instanceof MultiRegisterModel);
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(options.timeLimitMillis());
        SearchLimits limits = new SearchLimits(deadline, TimeUnit.MILLISECONDS.toNanos(options.timeLimitMillis()),
                new MemoryBudget(options.memoryLimitBytes()), new AtomicBoolean());
        Map<Object, KeyResult> results = new LinkedHashMap<>();
        for (KeyHistory key : prepared.keys()) {
            results.put(key.key(), null);
        }
        List<KeyResult> checked = options.parallelism() == 1 || prepared.keys().size() == 1
                ? checkInline(prepared.keys(), model, limits) : checkInParallel(prepared.keys(), model, limits);
        for (KeyResult result : checked) {
            results.put(result.key(), result);
        }
        return new CheckResult(results, model.name(), prepared.independent(), ops.size(), System.nanoTime() - start);
    }

    private List<KeyResult> checkInline(List<KeyHistory> keys, Model model, SearchLimits limits) {
        List<KeyResult> results = new ArrayList<>(keys.size());
        for (KeyHistory key : keys) {
            results.add(checkKey(key, model, limits));
        }
        return results;
    }

    private KeyResult checkKey(KeyHistory key, Model model, SearchLimits limits) {
        SearchOutcome outcome = LinearizabilitySearch.run(key, model, limits);
        if (outcome.validity() == Validity.INVALID && options.failFast()) {
            limits.cancel();
        }
        return KeyResult.of(key, outcome, model);
    }

    /** Largest keys first, so one big key does not start last and finish alone. */
    private List<KeyResult> checkInParallel(List<KeyHistory> keys, Model model, SearchLimits limits) {
        List<KeyHistory> bySize = new ArrayList<>(keys);
        bySize.sort(Comparator.comparingInt((KeyHistory k) -> k.calls().size()).reversed());
        ExecutorService pool = Executors.newFixedThreadPool(options.parallelism(), daemonThreads());
        try {
            List<Future<KeyResult>> futures = new ArrayList<>(bySize.size());
            for (KeyHistory key : bySize) {
                futures.add(pool.submit(() -> checkKey(key, model, limits)));
            }
            List<KeyResult> results = new ArrayList<>(bySize.size());
            for (int i = 0; i < futures.size(); i++) {
                results.add(await(futures.get(i), bySize.get(i), model, limits));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits for one key; a search that overruns its deadline by the grace period is abandoned as unknown. */
    private KeyResult await(Future<KeyResult> future, KeyHistory key, Model model, SearchLimits limits) {
        long waitNanos = Math.max(0, limits.deadlineNanos() - System.nanoTime())
                + TimeUnit.MILLISECONDS.toNanos(STRAGGLER_GRACE_MILLIS);
        try {
            return future.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return KeyResult.of(key, SearchOutcome.abandoned("time-limit",
                    "the search did not stop within " + STRAGGLER_GRACE_MILLIS + " ms of its deadline"), model);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            limits.cancel();
            return KeyResult.of(key, SearchOutcome.abandoned("cancelled", "the check was interrupted"), model);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the search of key " + key.key() + " failed: " + e.getCause(), e.getCause());
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "linearizability-search-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private static List<Op> toOps(List<?> history) {
        List<Op> ops = new ArrayList<>(history.size());
        int position = 0;
        for (Object element : history) {
            Op op;
            if (element instanceof Op) {
                op = (Op) element;
            } else if (element instanceof Map) {
                try {
                    op = Op.fromMap((Map<?, ?>) element);
                } catch (IllegalArgumentException e) {
                    throw new HistoryException(position, e.getMessage());
                }
            } else {
                throw new HistoryException(position, "expected an Op or an op map, found "
                        + (element == null ? "nil" : element.getClass().getName()));
            }
            ops.add(op.index() == Op.NO_INDEX ? op.withIndex(position) : op);
            position++;
        }
        return ops;
    }
}
