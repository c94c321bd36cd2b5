package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import leasekv.checker.edn.Keyword;
import leasekv.checker.gen.CrashHistoryGenerator;
import leasekv.checker.gen.CrashHistorySpec;
import leasekv.checker.gen.HistoryMutation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Histories shaped like kill and power-loss runs: linearizable as generated, with the shape the spec asks
 * for, and not linearizable, at the changed read, after each mutation.
 */
class CrashHistoryGeneratorTest {
    private static final Checker CHECKER = new Checker(CheckOptions.builder().model("cas-register").build());

    private static CrashHistorySpec small(long seed) {
        return CrashHistorySpec.killRun(3, 5, 150, seed);
    }

    @Test
    void generatedHistoriesAreLinearizable() {
        for (long seed = 0; seed < 20; seed++) {
            CrashHistorySpec spec = small(seed).withProcesses(5, 20).withCrashes(0.1, 0.5, 0.7);
            CheckResult result = CHECKER.check(CrashHistoryGenerator.generate(spec));
            assertEquals(Validity.VALID, result.validity(), "seed " + seed + ": " + result.explanation());
        }
    }

    @ParameterizedTest
    @EnumSource(HistoryMutation.class)
    void eachMutationIsInvalidAtTheChangedRead(HistoryMutation mutation) {
        for (long seed = 0; seed < 10; seed++) {
            CrashHistoryGenerator.Generated generated = CrashHistoryGenerator.generate(small(seed), mutation, 0.6);
            CheckResult result = CHECKER.check(generated.ops());
            assertEquals(Validity.INVALID, result.validity(), "seed " + seed + ": " + generated.mutated().description());
            KeyResult key = result.results().get(result.failures().get(0));
            assertEquals(generated.mutated().readIndex(), key.failingOp().index(), generated.mutated().description());
            assertEquals(1, result.staleReads().size(), result.explanation());
        }
    }

    @Test
    void theShapeIsAKillRun() {
        CrashHistorySpec spec = CrashHistorySpec.killRun(10, 5, 400, 3);
        List<Op> ops = CrashHistoryGenerator.generate(spec);
        Map<Long, Op> pending = new HashMap<>();
        Set<Long> retired = new HashSet<>();
        Map<Object, Set<Object>> writtenPerKey = new HashMap<>();
        int invocations = 0;
        int crashed = 0;
        int failedCas = 0;
        for (Op op : ops) {
            assertTrue(!retired.contains(op.process()), "process " + op.process() + " came back after crashing");
            List<?> tuple = (List<?>) op.value();
            if (op.type() == OpType.INVOKE) {
                assertEquals(null, pending.put(op.process(), op), "one op in flight per process");
                invocations++;
                Object written = op.f().equals("write") ? tuple.get(1)
                        : op.f().equals("cas") ? ((List<?>) tuple.get(1)).get(1) : null;
                if (written != null) {
                    assertTrue(writtenPerKey.computeIfAbsent(tuple.get(0), k -> new HashSet<>()).add(written),
                            "value " + written + " written twice on key " + tuple.get(0));
                }
                continue;
            }
            Op invocation = pending.remove(op.process());
            assertNotNull(invocation);
            if (op.type() == OpType.INFO) {
                crashed++;
                retired.add(op.process());
                assertEquals(Keyword.of("timeout"), op.extra("error"));
                assertTrue(!op.f().equals("read"), "reads do not crash");
            } else if (op.type() == OpType.FAIL) {
                assertEquals("cas", op.f());
                failedCas++;
            }
        }
        assertEquals(10 * 400, invocations);
        assertEquals(0.05, crashed / (double) invocations, 0.015);
        assertTrue(failedCas > 0);
        assertEquals(10, writtenPerKey.size());
    }

    @Test
    void crashedWritesThatTookEffectAreReadAsOftenAsAsked() {
        double always = shareOfCrashedValuesRead(1.0, 1.0);
        double never = shareOfCrashedValuesRead(1.0, 0.0);
        System.out.println("crashed writes read: " + always + " when asked always, " + never + " when never");
        assertTrue(always > 0.8, "read after crash 1.0: " + always);
        assertTrue(never < always - 0.2, "read after crash 0.0: " + never);
        assertEquals(0.0, shareOfCrashedValuesRead(0.0, 1.0));
    }

    /** The share of crashed writes whose value some :ok read returned. */
    private static double shareOfCrashedValuesRead(double effect, double readAfter) {
        CrashHistorySpec spec = CrashHistorySpec.killRun(5, 5, 400, 11).withCrashes(0.1, effect, readAfter);
        Map<Object, Op> crashedByValue = new HashMap<>();
        Set<Object> read = new HashSet<>();
        for (Op op : CrashHistoryGenerator.generate(spec)) {
            List<?> tuple = (List<?>) op.value();
            if (op.type() == OpType.INFO && op.f().equals("write")) {
                crashedByValue.put(List.of(tuple.get(0), tuple.get(1)), op);
            } else if (op.type() == OpType.OK && op.f().equals("read") && tuple.get(1) != null) {
                read.add(List.of(tuple.get(0), tuple.get(1)));
            }
        }
        long observed = crashedByValue.keySet().stream().filter(read::contains).count();
        return observed / (double) crashedByValue.size();
    }

    @Test
    void theSameSpecGivesTheSameHistory() {
        CrashHistorySpec spec = small(9).with("processes", "5-20").with("crash", "0.2");
        assertEquals(CrashHistoryGenerator.generate(spec), CrashHistoryGenerator.generate(spec));
    }
}
