package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import leasekv.checker.gen.CrashHistoryGenerator;
import leasekv.checker.gen.CrashHistorySpec;
import leasekv.checker.gen.GeneratorSpec;
import leasekv.checker.gen.HistoryGenerator;
import leasekv.checker.history.KeyHistory;
import leasekv.checker.history.Partitioner;
import leasekv.checker.model.Model;
import leasekv.checker.model.Models;
import leasekv.checker.search.LinearizabilitySearch;
import leasekv.checker.search.SearchLimits;
import leasekv.checker.search.SearchTuning;
import org.junit.jupiter.api.Test;

/**
 * The reductions for crashed calls (pruning, lazy linearization) change how long a search takes, never its
 * verdict: on small histories with many crashes, every combination of them agrees with brute force, with
 * repeated values (so crashed calls are interchangeable and values have several writers), with unique values
 * (the kill-run shape), and with Knossos's nil reading.
 */
class ReductionsAgreeTest {
    private static final List<SearchTuning> TUNINGS = List.of(SearchTuning.ALL, SearchTuning.NONE,
            new SearchTuning(true, false), new SearchTuning(false, true));

    @Test
    void withRepeatedValues() {
        int invalid = 0;
        int compared = 0;
        for (String modelName : List.of("register", "cas-register")) {
            for (boolean nilAnything : List.of(false, true)) {
                Model model = Models.create(modelName, null, nilAnything);
                GeneratorSpec.Workload workload = GeneratorSpec.Workload.valueOf(modelName.toUpperCase().replace('-', '_'));
                Random random = new Random(modelName.hashCode() + (nilAnything ? 1 : 0));
                for (long seed = 0; seed < 120; seed++) {
                    List<Op> original = HistoryGenerator.generate(GeneratorSpec.small(workload, 9, seed)
                            .withProcesses(4).withInfoRate(0.35).withValueRange(3));
                    for (List<Op> history : List.of(original, Mutations.mutate(original, random),
                            Mutations.failToOk(original, random))) {
                        invalid += agree(model, history) ? 0 : 1;
                        compared++;
                    }
                }
            }
        }
        assertTrue(invalid >= compared / 10, "only " + invalid + " of " + compared + " histories were invalid");
    }

    @Test
    void withUniqueValuesAsInKillRuns() {
        Model model = Models.create("cas-register", null, false);
        Random random = new Random(5);
        int invalid = 0;
        int compared = 0;
        for (long seed = 0; seed < 250; seed++) {
            CrashHistorySpec spec = CrashHistorySpec.killRun(1, 3, 9, seed).withProcesses(3, 4)
                    .withCrashes(0.3, 0.5, 0.7).withTiming(1000, 300, 3000);
            List<Op> original = withoutKeys(CrashHistoryGenerator.generate(spec));
            for (List<Op> history : List.of(original, Mutations.mutate(original, random))) {
                invalid += agree(model, history) ? 0 : 1;
                compared++;
            }
        }
        assertTrue(invalid >= compared / 10, "only " + invalid + " of " + compared + " histories were invalid");
    }

    /** Asserts that every tuning gives brute force's verdict; returns it. */
    private static boolean agree(Model model, List<Op> history) {
        boolean expected = BruteForceChecker.isLinearizable(model, history);
        KeyHistory key = Partitioner.prepare(history, model, IndependentKeys.NO, false).keys().get(0);
        for (SearchTuning tuning : TUNINGS) {
            Validity verdict = LinearizabilitySearch.run(key, model, SearchLimits.unlimited(), tuning).validity();
            assertEquals(expected ? Validity.VALID : Validity.INVALID, verdict, tuning + " on " + history);
        }
        return expected;
    }

    /** A one-key history of [k v] tuples as plain values. */
    private static List<Op> withoutKeys(List<Op> ops) {
        List<Op> plain = new ArrayList<>(ops.size());
        for (Op op : ops) {
            plain.add(op.withValue(((List<?>) op.value()).get(1)));
        }
        return plain;
    }
}
