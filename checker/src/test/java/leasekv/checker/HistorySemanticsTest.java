package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Jepsen's meaning of each op type, and clear errors for histories that make no sense. */
class HistorySemanticsTest {
    private static Validity check(List<Op> history) {
        return new Checker(CheckOptions.defaults()).check(history).validity();
    }

    @Test
    void failedOpsDidNotHappen() {
        List<Op> history = new HistoryBuilder().invoke(0, "write", 1L).fail(0, "write", 1L)
                .invoke(1, "read", null).ok(1, "read", null).build();
        assertEquals(Validity.VALID, check(history));
        List<Op> readOfFailedWrite = new HistoryBuilder().invoke(0, "write", 1L).fail(0, "write", 1L)
                .invoke(1, "read", null).ok(1, "read", 1L).build();
        assertEquals(Validity.INVALID, check(readOfFailedWrite));
    }

    @Test
    void infoOpsMayHappenLaterOrNever() {
        HistoryBuilder base = new HistoryBuilder().invoke(0, "write", 1L).info(0, "write", 1L);
        assertEquals(Validity.VALID, check(new HistoryBuilder().invoke(0, "write", 1L).info(0, "write", 1L)
                .invoke(1, "read", null).ok(1, "read", null).invoke(1, "read", null).ok(1, "read", 1L).build()));
        assertEquals(Validity.VALID, check(base.invoke(1, "read", null).ok(1, "read", null).build()));
        // Once seen, the crashed write cannot be undone.
        assertEquals(Validity.INVALID, check(new HistoryBuilder().invoke(0, "write", 1L).info(0, "write", 1L)
                .invoke(1, "read", null).ok(1, "read", 1L).invoke(1, "read", null).ok(1, "read", null).build()));
    }

    @Test
    void invocationsWithoutCompletionMayTakeEffect() {
        assertEquals(Validity.VALID, check(new HistoryBuilder().invoke(0, "write", 2L)
                .invoke(1, "read", null).ok(1, "read", 2L).build()));
    }

    @Test
    void nemesisOpsAreIgnored() {
        List<Op> history = new HistoryBuilder().invoke(0, "write", 1L).ok(0, "write", 1L).build();
        history.add(1, Op.of("nemesis", "info", "start", null, null, null, null));
        history.add(Op.of(":nemesis", ":info", ":stop", "whatever", null, null, null));
        assertEquals(Validity.VALID, check(history));
    }

    @Test
    void nilReadMeansAbsentUnlessToldOtherwise() {
        List<Op> history = new HistoryBuilder().invoke(0, "write", 1L).ok(0, "write", 1L)
                .invoke(1, "read", null).ok(1, "read", null).build();
        assertEquals(Validity.INVALID, check(history));
        CheckOptions knossos = CheckOptions.builder().nilReads(NilReads.ANYTHING).build();
        assertEquals(Validity.VALID, new Checker(knossos).check(history).validity());
    }

    @Test
    void doubleInvocationIsReportedWithBothIndices() {
        List<Op> history = new HistoryBuilder().invoke(3, "read", null).invoke(3, "write", 1L).build();
        HistoryException e = assertThrows(HistoryException.class, () -> check(history));
        assertEquals(1, e.opIndex());
        assertTrue(e.getMessage().contains("op index 1: process 3 invoked :write while its :read invoked at op index 0"),
                e.getMessage());
    }

    @Test
    void otherBadHistoriesAreReportedClearly() {
        assertError("op index 0: process 2 completed :read with :ok but had no invocation pending",
                new HistoryBuilder().ok(2, "read", 1L).build(), CheckOptions.defaults());
        assertError("op index 1: process 0 completed :read but had invoked :write at op index 0",
                new HistoryBuilder().invoke(0, "write", 1L).ok(0, "read", 1L).build(), CheckOptions.defaults());
        assertError("the register model knows :read and :write, not :cas",
                new HistoryBuilder().invoke(0, "cas", List.of(1L, 2L)).ok(0, "cas", List.of(1L, 2L)).build(),
                CheckOptions.builder().model("register").build());
        assertError(":cas needs a value [expected new]",
                new HistoryBuilder().invoke(0, "cas", 1L).ok(0, "cas", 1L).build(), CheckOptions.defaults());
        assertError("expected an independent [key value] tuple",
                new HistoryBuilder().invoke(0, "write", 1L).ok(0, "write", 1L).build(),
                CheckOptions.builder().independentKeys(IndependentKeys.YES).build());
        assertError("completion is for key 2 but its invocation at op index 0 was for key 1",
                new HistoryBuilder().invoke(0, "read", Arrays.asList(1L, null)).ok(0, "read", List.of(2L, 5L)).build(),
                CheckOptions.defaults());
    }

    private static void assertError(String expected, List<Op> history, CheckOptions options) {
        HistoryException e = assertThrows(HistoryException.class, () -> new Checker(options).check(history));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void independentKeysAreCheckedSeparately() {
        List<Op> history = new HistoryBuilder()
                .invoke(0, "write", List.of(1L, 5L)).ok(0, "write", List.of(1L, 5L))
                .invoke(1, "read", Arrays.asList(2L, null)).ok(1, "read", Arrays.asList(2L, null))
                .invoke(2, "read", Arrays.asList(1L, null)).ok(2, "read", List.of(1L, 5L))
                .invoke(3, "read", Arrays.asList(2L, null)).ok(3, "read", List.of(2L, 5L)).build();
        CheckResult result = new Checker(CheckOptions.defaults()).check(history);
        assertTrue(result.independent());
        assertEquals(Validity.VALID, result.result(1L).validity());
        assertEquals(Validity.INVALID, result.result(2L).validity());
        assertEquals(List.of(2L), result.failures());
        assertEquals(Validity.INVALID, result.validity());
    }

    @Test
    void casValuesAreNotMistakenForKeys() {
        List<Op> history = new HistoryBuilder().invoke(0, "cas", List.of(0L, 1L)).ok(0, "cas", List.of(0L, 1L))
                .invoke(0, "cas", List.of(1L, 2L)).ok(0, "cas", List.of(1L, 2L)).build();
        CheckResult result = new Checker(CheckOptions.builder().initialValue(0L).build()).check(history);
        assertEquals(false, result.independent());
        assertEquals(Validity.VALID, result.validity());
    }
}
