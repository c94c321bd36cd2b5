package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Limits make keys :unknown with a cause; they never hang the check or exhaust the heap. */
class LimitsTest {
    /**
     * Write 0; crashed writes of 1..n, and n overlapping reads that return 1..n; write n+1; then a read of
     * {@code finalRead}. Every crashed write is observed by its read, so none can be dropped, and the reads
     * overlap, so the (crashed write, read) pairs can come in any order. A final read of 1 is impossible (the
     * crashed write of 1 had to come before the read of 1, and write n+1 came after both), but since that
     * write crashed no quick rule can tell: refuting it means trying every subset of the pairs, more than
     * 2^n configurations.
     */
    static List<Op> exponentialHistory(int crashedWrites, long finalRead) {
        HistoryBuilder history = new HistoryBuilder().invoke(1000, "write", 0L).ok(1000, "write", 0L);
        for (int p = 1; p <= crashedWrites; p++) {
            history.invoke(p, "write", (long) p);
        }
        for (int p = 1; p <= crashedWrites; p++) {
            history.invoke(100 + p, "read", null);
        }
        for (int p = 1; p <= crashedWrites; p++) {
            history.info(p, "write", (long) p);
        }
        for (int p = 1; p <= crashedWrites; p++) {
            history.ok(100 + p, "read", (long) p);
        }
        return history.invoke(1000, "write", crashedWrites + 1L).ok(1000, "write", crashedWrites + 1L)
                .invoke(1000, "read", null).ok(1000, "read", finalRead).build();
    }

    static List<Op> exponentialHistory(int crashedWrites) {
        return exponentialHistory(crashedWrites, 1L);
    }

    /**
     * The same, with a final read of a value nobody wrote: searching it out would take more than 2^40 steps,
     * but the value alone proves the history invalid, so the verdict is invalid, not unknown.
     */
    @Test
    void aValueNobodyWroteIsInvalidEvenWhenTheSearchCannotFinish() {
        List<Op> history = exponentialHistory(40, -1L);
        CheckResult result = new Checker(CheckOptions.builder().timeLimitSeconds(2).build()).check(history);
        assertEquals(Validity.INVALID, result.validity());
        assertEquals(history.size() - 1, result.result(null).failingOp().index());
        assertEquals(0, result.result(null).configurations());
        assertTrue(result.explanation().contains("which is neither the initial value nor what any write invoked"),
                result.explanation());
    }

    @Test
    void timeLimitGivesUnknownWithCause() {
        CheckOptions options = CheckOptions.builder().timeLimitMillis(300).build();
        long start = System.nanoTime();
        CheckResult result = new Checker(options).check(exponentialHistory(40));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Validity.UNKNOWN, result.validity());
        KeyResult key = result.result(null);
        assertEquals("time-limit", key.cause());
        assertTrue(key.reason().contains("time limit"), key.reason());
        assertTrue(elapsedMillis < 30_000, "stopped after " + elapsedMillis + " ms");
        assertTrue(result.toEdn().contains(":valid? :unknown"), result.toEdn());
        assertTrue(result.toEdn().contains(":cause :time-limit"), result.toEdn());
    }

    @Test
    void memoryLimitGivesUnknownWithCause() {
        CheckOptions options = CheckOptions.builder().memoryLimitMegabytes(2).timeLimitSeconds(120).build();
        CheckResult result = new Checker(options).check(exponentialHistory(40));
        assertEquals(Validity.UNKNOWN, result.validity());
        assertEquals("memory-limit", result.result(null).cause());
    }

    @Test
    void smallRefutationsFinishWithinLimits() {
        CheckResult result = new Checker(CheckOptions.defaults()).check(exponentialHistory(10));
        assertEquals(Validity.INVALID, result.validity());
    }

    @Test
    void failFastLeavesTheOtherKeysUnknown() {
        HistoryBuilder history = new HistoryBuilder();
        history.invoke(0, "write", List.of(0L, 1L)).ok(0, "write", List.of(0L, 1L))
                .invoke(0, "read", java.util.Arrays.asList(0L, null)).ok(0, "read", List.of(0L, 9L));
        for (long key = 1; key <= 20; key++) {
            history.invoke(1, "write", List.of(key, 1L)).ok(1, "write", List.of(key, 1L));
        }
        CheckOptions options = CheckOptions.builder().failFast(true).parallelism(1).build();
        CheckResult result = new Checker(options).check(history.build());
        assertEquals(Validity.INVALID, result.validity());
        assertEquals(List.of(0L), result.failures());
        assertEquals(20, result.unknownKeys().size());
        assertEquals("cancelled", result.result(5L).cause());
    }
}
