package leasekv.checker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import leasekv.checker.IndependentKeys;
import leasekv.checker.Op;
import leasekv.checker.history.Partitioner;
import org.junit.jupiter.api.Test;

/** A read (or cas) of a value whose every source was surely overwritten before it began is refuted at once. */
class OverwrittenValueRefutationTest {
    private static final CasRegisterModel REGISTER = new CasRegisterModel(null, false);

    private static QuickRefutation.Impossible refute(CasRegisterModel model, Op... ops) {
        List<Op> indexed = new ArrayList<>();
        for (Op op : ops) {
            indexed.add(op.withIndex(indexed.size()));
        }
        List<Call> calls = Partitioner.prepare(indexed, model, IndependentKeys.NO, false).keys().get(0).calls();
        return model.firstImpossible(calls);
    }

    @Test
    void aStaleReadIsRefuted() {
        QuickRefutation.Impossible impossible = refute(REGISTER,
                Op.invoke(1, "write", 1L), Op.ok(1, "write", 1L),
                Op.invoke(2, "write", 2L), Op.ok(2, "write", 2L),
                Op.invoke(3, "read", null), Op.ok(3, "read", 1L));
        assertEquals(5, impossible.call().reportedOp().index());
        assertTrue(impossible.reason().contains("before the write of 2 (op index 3) began"), impossible.reason());
    }

    @Test
    void aLateNilReadIsRefuted() {
        QuickRefutation.Impossible impossible = refute(REGISTER,
                Op.invoke(1, "write", 1L), Op.ok(1, "write", 1L),
                Op.invoke(3, "read", null), Op.ok(3, "read", null));
        assertTrue(impossible.reason().contains("held it only at the start"), impossible.reason());
        assertNull(refute(new CasRegisterModel(null, true),
                Op.invoke(1, "write", 1L), Op.ok(1, "write", 1L),
                Op.invoke(3, "read", null), Op.ok(3, "read", null)), "Knossos's nil reads observe nothing");
    }

    @Test
    void aCasOfAnOverwrittenValueIsRefuted() {
        QuickRefutation.Impossible impossible = refute(REGISTER,
                Op.invoke(1, "write", 1L), Op.ok(1, "write", 1L),
                Op.invoke(2, "write", 2L), Op.ok(2, "write", 2L),
                Op.invoke(3, "cas", Arrays.asList(1L, 3L)), Op.ok(3, "cas", Arrays.asList(1L, 3L)));
        assertEquals("cas", impossible.call().f());
    }

    @Test
    void possibleReadsAreNotRefuted() {
        // The overwriting write is concurrent with the read: the read may come first.
        assertNull(refute(REGISTER,
                Op.invoke(1, "write", 1L), Op.ok(1, "write", 1L),
                Op.invoke(2, "write", 2L), Op.invoke(3, "read", null),
                Op.ok(2, "write", 2L), Op.ok(3, "read", 1L)));
        // The write of 1 is concurrent with the write of 2, so it may come after it.
        assertNull(refute(REGISTER,
                Op.invoke(1, "write", 1L), Op.invoke(2, "write", 2L),
                Op.ok(1, "write", 1L), Op.ok(2, "write", 2L),
                Op.invoke(3, "read", null), Op.ok(3, "read", 1L)));
        // A crashed write of 1 may take effect at any time.
        assertNull(refute(REGISTER,
                Op.invoke(1, "write", 1L), Op.ok(1, "write", 1L),
                Op.invoke(4, "write", 1L), Op.info(4, "write", 1L),
                Op.invoke(2, "write", 2L), Op.ok(2, "write", 2L),
                Op.invoke(3, "read", null), Op.ok(3, "read", 1L)));
        // A later write of nil brings the absent key back.
        assertNull(refute(REGISTER,
                Op.invoke(1, "write", 1L), Op.ok(1, "write", 1L),
                Op.invoke(2, "write", null), Op.invoke(3, "read", null),
                Op.ok(2, "write", null), Op.ok(3, "read", null)));
    }
}
