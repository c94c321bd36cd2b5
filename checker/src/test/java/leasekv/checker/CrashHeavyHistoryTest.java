package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import leasekv.checker.gen.CrashHistoryGenerator;
import leasekv.checker.gen.CrashHistorySpec;
import leasekv.checker.gen.HistoryMutation;
import leasekv.checker.history.KeyHistory;
import leasekv.checker.history.Partitioner;
import leasekv.checker.model.Model;
import leasekv.checker.search.LinearizabilitySearch;
import leasekv.checker.search.MemoryBudget;
import leasekv.checker.search.SearchLimits;
import leasekv.checker.search.SearchTuning;
import org.junit.jupiter.api.Test;

/**
 * One hot key with 20 processes and 10% of ops crashed (hundreds of crashed calls pending at once): decided
 * within small limits, valid as generated and invalid with each mutation. Without the reductions for crashed
 * calls the search of the valid history runs out of its memory budget (the benchmark shows full-size cases).
 */
class CrashHeavyHistoryTest {
    private static final int MEMORY_LIMIT_MB = 48;
    private static final CrashHistorySpec HOT_KEY = CrashHistorySpec.killRun(1, 20, 3000, 1).withCrashes(0.1, 0.5, 0.7);

    private static CheckResult check(List<Op> history) {
        return new Checker(CheckOptions.builder().model("cas-register").timeLimitSeconds(20)
                .memoryLimitMegabytes(MEMORY_LIMIT_MB).build()).check(history);
    }

    @Test
    void aHotKeyWithManyCrashesIsDecided() {
        assertEquals(Validity.VALID, check(CrashHistoryGenerator.generate(HOT_KEY)).validity());
        for (HistoryMutation mutation : HistoryMutation.values()) {
            CrashHistoryGenerator.Generated generated = CrashHistoryGenerator.generate(HOT_KEY, mutation, 0.9);
            CheckResult result = check(generated.ops());
            assertEquals(Validity.INVALID, result.validity(), generated.mutated().description());
            assertEquals(generated.mutated().readIndex(), result.result(0L).failingOp().index());
        }
    }

    @Test
    void withoutTheReductionsTheSameSearchRunsOutOfMemory() {
        List<Op> history = CrashHistoryGenerator.generate(HOT_KEY);
        Model model = CheckOptions.builder().model("cas-register").build().createModel();
        KeyHistory key = Partitioner.prepare(history, model, IndependentKeys.AUTO, false).keys().get(0);
        SearchLimits limits = new SearchLimits(System.nanoTime() + TimeUnit.SECONDS.toNanos(20),
                TimeUnit.SECONDS.toNanos(20), new MemoryBudget(MEMORY_LIMIT_MB << 20), new AtomicBoolean());
        KeyResult none = KeyResult.of(key, LinearizabilitySearch.run(key, model, limits, SearchTuning.NONE), model);
        assertEquals(Validity.UNKNOWN, none.validity());
        assertEquals("memory-limit", none.cause());
    }
}
