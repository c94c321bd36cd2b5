package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import leasekv.checker.gen.GeneratorSpec;
import leasekv.checker.gen.GeneratorSpec.Workload;
import leasekv.checker.gen.HistoryGenerator;
import leasekv.checker.model.Model;
import leasekv.checker.model.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Histories generated from real executions are linearizable; mutated ones agree with brute force. */
class GeneratedHistoryTest {
    private static Checker checker(Workload workload) {
        return new Checker(CheckOptions.builder().model(workload.modelName()).timeLimitSeconds(60).build());
    }

    @ParameterizedTest
    @EnumSource(Workload.class)
    void generatedHistoriesAreLinearizable(Workload workload) {
        for (long seed = 0; seed < 20; seed++) {
            GeneratorSpec spec = GeneratorSpec.small(workload, opsFor(workload), seed)
                    .withProcesses(isCollection(workload) ? 4 : 6).withInfoRate(infoRateFor(workload));
            List<Op> history = HistoryGenerator.generate(spec);
            CheckResult result = checker(workload).check(history);
            assertEquals(Validity.VALID, result.validity(), "seed " + seed + ": " + result.explanation());
        }
    }

    /**
     * The set and queue searches are exponential where registers are not: each subset of pending crashed
     * adds is a different state, and a wrong order of concurrent enqueues only shows when the elements are
     * dequeued much later (Knossos has the same weakness). Those workloads get shorter, less concurrent
     * histories with fewer crashes.
     */
    private static int opsFor(Workload workload) {
        return isCollection(workload) ? 80 : 300;
    }

    private static double infoRateFor(Workload workload) {
        return isCollection(workload) ? 0.03 : 0.1;
    }

    private static boolean isCollection(Workload workload) {
        return workload == Workload.SET || workload == Workload.UNORDERED_QUEUE || workload == Workload.FIFO_QUEUE;
    }

    @ParameterizedTest
    @EnumSource(Workload.class)
    void agreesWithBruteForceOnSmallHistories(Workload workload) {
        Model model = Models.create(workload.modelName(), null, false);
        Random random = new Random(workload.ordinal());
        int compared = 0;
        int invalid = 0;
        for (long seed = 0; seed < 150; seed++) {
            GeneratorSpec spec = GeneratorSpec.small(workload, 9, seed).withProcesses(4).withInfoRate(0.25)
                    .withValueRange(3);
            List<Op> original = HistoryGenerator.generate(spec);
            for (List<Op> history : List.of(original, Mutations.mutate(original, random),
                    Mutations.failToOk(original, random))) {
                boolean expected = BruteForceChecker.isLinearizable(model, history);
                CheckResult result = checker(workload).check(history);
                assertEquals(expected ? Validity.VALID : Validity.INVALID, result.validity(),
                        "seed " + seed + " history " + history);
                compared++;
                invalid += expected ? 0 : 1;
            }
        }
        System.out.println(workload + ": " + invalid + " of " + compared + " histories invalid");
        assertTrue(invalid >= compared / 10, "only " + invalid + " of " + compared + " histories were invalid");
    }

    @Test
    void manyIndependentKeysGiveOneVerdictPerKeyWhateverTheParallelism() {
        GeneratorSpec spec = GeneratorSpec.small(Workload.CAS_REGISTER, 200, 7).withKeys(30).withProcesses(5);
        List<Op> history = HistoryGenerator.generate(spec);
        List<Op> broken = new java.util.ArrayList<>(history);
        Random random = new Random(3);
        for (int changed = 0; changed < 5; ) {
            int i = random.nextInt(broken.size());
            Op op = broken.get(i);
            if (op.type() == OpType.OK && op.f().equals("read")) {
                Object key = ((List<?>) op.value()).get(0);
                broken.set(i, op.withValue(java.util.Arrays.asList(key, 100L + changed)));
                changed++;
            }
        }
        CheckResult serial = new Checker(CheckOptions.builder().parallelism(1).build()).check(broken);
        CheckResult parallel = new Checker(CheckOptions.builder().parallelism(2).build()).check(broken);
        assertTrue(serial.independent());
        assertEquals(30, serial.results().size());
        assertEquals(serial.failures(), parallel.failures());
        assertEquals(serial.validity(), parallel.validity());
        assertEquals(Validity.INVALID, serial.validity());
        assertTrue(serial.failures().size() >= 1 && serial.failures().size() <= 5, "failures " + serial.failures());
        assertEquals(Validity.VALID, new Checker(CheckOptions.defaults()).check(history).validity());
    }
}
