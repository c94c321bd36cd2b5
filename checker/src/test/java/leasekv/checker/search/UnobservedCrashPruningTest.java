package leasekv.checker.search;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import leasekv.checker.IndependentKeys;
import leasekv.checker.Op;
import leasekv.checker.Validity;
import leasekv.checker.history.KeyHistory;
import leasekv.checker.history.Partitioner;
import leasekv.checker.model.Call;
import leasekv.checker.model.Model;
import leasekv.checker.model.Models;
import org.junit.jupiter.api.Test;

/**
 * Which crashed calls the pruning drops, and, as important, which it must keep: a crashed write whose value
 * is read later, a crashed cas that enables a later cas, and the crashed write that enables such a cas.
 */
class UnobservedCrashPruningTest {
    private static final Model CAS_REGISTER = Models.create("cas-register", null, false);
    private static final Model KNOSSOS_CAS_REGISTER = Models.create("cas-register", null, true);

    private static KeyHistory key(Model model, Op... ops) {
        List<Op> indexed = new ArrayList<>();
        for (Op op : ops) {
            indexed.add(op.withIndex(indexed.size()));
        }
        return Partitioner.prepare(indexed, model, IndependentKeys.NO, false).keys().get(0);
    }

    /** The values of the crashed calls that survive, in invocation order. */
    private static List<Object> keptCrashed(Model model, Op... ops) {
        List<Object> kept = new ArrayList<>();
        for (Call call : UnobservedCrashPruning.prune(key(model, ops), model).history().calls()) {
            if (!call.outcomeKnown()) {
                kept.add(call.value());
            }
        }
        return kept;
    }

    private static Validity verdict(SearchTuning tuning, Model model, Op... ops) {
        return LinearizabilitySearch.run(key(model, ops), model, SearchLimits.unlimited(), tuning).validity();
    }

    private static List<Object> cas(Object expected, Object newValue) {
        return Arrays.asList(expected, newValue);
    }

    @Test
    void aCrashedWriteNobodyReadsIsDropped() {
        assertEquals(List.of(), keptCrashed(CAS_REGISTER,
                Op.invoke(1, "write", 1L), Op.info(1, "write", 1L),
                Op.invoke(2, "read", null), Op.ok(2, "read", null)));
    }

    @Test
    void aCrashedWriteWhoseValueIsReadLaterIsKept() {
        Op[] history = {
            Op.invoke(1, "write", 1L), Op.info(1, "write", 1L),
            Op.invoke(2, "write", 2L), Op.ok(2, "write", 2L),
            Op.invoke(3, "read", null), Op.ok(3, "read", 1L)};
        assertEquals(List.of(1L), keptCrashed(CAS_REGISTER, history));
        // Valid only because the crashed write took effect after the write of 2: dropping it would be wrong.
        for (SearchTuning tuning : List.of(SearchTuning.ALL, SearchTuning.NONE)) {
            assertEquals(Validity.VALID, verdict(tuning, CAS_REGISTER, history), tuning.toString());
        }
    }

    @Test
    void aCrashedCasWhoseNewValueNobodyObservesIsDropped() {
        assertEquals(List.of(), keptCrashed(CAS_REGISTER,
                Op.invoke(1, "write", 1L), Op.ok(1, "write", 1L),
                Op.invoke(2, "cas", cas(1L, 2L)), Op.info(2, "cas", cas(1L, 2L)),
                Op.invoke(3, "read", null), Op.ok(3, "read", 1L)));
    }

    @Test
    void aCrashedCasThatEnablesALaterCasIsKeptWithTheWriteThatEnablesIt() {
        Op[] history = {
            Op.invoke(1, "write", 1L), Op.info(1, "write", 1L),
            Op.invoke(2, "cas", cas(1L, 2L)), Op.info(2, "cas", cas(1L, 2L)),
            Op.invoke(3, "cas", cas(2L, 3L)), Op.ok(3, "cas", cas(2L, 3L))};
        assertEquals(List.of(1L, cas(1L, 2L)), keptCrashed(CAS_REGISTER, history));
        for (SearchTuning tuning : List.of(SearchTuning.ALL, SearchTuning.NONE, new SearchTuning(false, true))) {
            assertEquals(Validity.VALID, verdict(tuning, CAS_REGISTER, history), tuning.toString());
        }
    }

    @Test
    void droppingACrashedCasLeavesTheWriteItObservedUnobserved() {
        // The cas [1 2] is the only observer of 1; nobody observes 2, so the cas goes, and then the write of 1.
        assertEquals(List.of(), keptCrashed(CAS_REGISTER,
                Op.invoke(1, "write", 1L), Op.info(1, "write", 1L),
                Op.invoke(2, "cas", cas(1L, 2L)), Op.info(2, "cas", cas(1L, 2L)),
                Op.invoke(3, "read", null), Op.ok(3, "read", null)));
    }

    @Test
    void aCrashedCasThatCanNeverHappenIsDropped() {
        // Nobody writes 7 and the register starts absent, so the cas never took effect, though 3 is read.
        Op[] history = {
            Op.invoke(1, "cas", cas(7L, 3L)), Op.info(1, "cas", cas(7L, 3L)),
            Op.invoke(2, "read", null), Op.ok(2, "read", 3L)};
        assertEquals(List.of(), keptCrashed(CAS_REGISTER, history));
        assertEquals(Validity.INVALID, verdict(SearchTuning.ALL, CAS_REGISTER, history));
    }

    @Test
    void aCrashedCasExpectingTheInitialValueMayHappen() {
        Op[] history = {
            Op.invoke(1, "cas", cas(null, 3L)), Op.info(1, "cas", cas(null, 3L)),
            Op.invoke(2, "read", null), Op.ok(2, "read", 3L)};
        assertEquals(List.of(cas(null, 3L)), keptCrashed(CAS_REGISTER, history));
        assertEquals(Validity.VALID, verdict(SearchTuning.ALL, CAS_REGISTER, history));
    }

    @Test
    void aNilReadUnderKnossosReadingObservesNothing() {
        assertEquals(List.of(), keptCrashed(KNOSSOS_CAS_REGISTER,
                Op.invoke(1, "write", 1L), Op.info(1, "write", 1L),
                Op.invoke(2, "read", null), Op.ok(2, "read", null)));
        // By default a nil read observes the absent register; the crashed write of nil is then kept.
        assertEquals(Arrays.asList((Object) null), keptCrashed(CAS_REGISTER,
                Op.invoke(1, "write", 1L), Op.ok(1, "write", 1L),
                Op.invoke(2, "write", null), Op.info(2, "write", null),
                Op.invoke(3, "read", null), Op.ok(3, "read", null)));
    }

    @Test
    void callsOfKnownOutcomeAreNeverDropped() {
        KeyHistory history = key(CAS_REGISTER,
                Op.invoke(1, "write", 1L), Op.ok(1, "write", 1L),
                Op.invoke(2, "cas", cas(1L, 2L)), Op.ok(2, "cas", cas(1L, 2L)));
        UnobservedCrashPruning.Pruned pruned = UnobservedCrashPruning.prune(history, CAS_REGISTER);
        assertEquals(2, pruned.history().calls().size());
        assertEquals(0, pruned.unobserved() + pruned.impossible());
    }

    @Test
    void theSameHistoryObjectsAreKeptAndEventsRenumbered() {
        KeyHistory history = key(CAS_REGISTER,
                Op.invoke(1, "write", 1L), Op.info(1, "write", 1L),
                Op.invoke(2, "write", 2L), Op.ok(2, "write", 2L),
                Op.invoke(3, "read", null), Op.ok(3, "read", 2L));
        UnobservedCrashPruning.Pruned pruned = UnobservedCrashPruning.prune(history, CAS_REGISTER);
        assertEquals(1, pruned.unobserved());
        assertEquals(List.of(history.calls().get(1), history.calls().get(2)), pruned.history().calls());
        assertEquals(4, pruned.history().events().length);
        assertEquals(0, KeyHistory.callOf(pruned.history().events()[0]));
        assertEquals(1, KeyHistory.callOf(pruned.history().events()[3]));
    }
}
