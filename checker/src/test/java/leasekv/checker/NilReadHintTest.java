package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** When a failing nil read gets the hint to try --nil-reads anything (leasekv.checker.report.NilReadHint). */
class NilReadHintTest {
    private static CheckResult check(List<Op> ops, Object initial, NilReads nilReads) {
        return new Checker(CheckOptions.builder().model("cas-register").initialValue(initial).nilReads(nilReads)
                .build()).check(ops);
    }

    private static KeyResult only(CheckResult result) {
        return result.results().values().iterator().next();
    }

    /** The Knossos corpus's linearizable cas-register histories (initial value 0). */
    private static List<Corpus.Entry> goodCasRegisterHistories() {
        return Corpus.entries().stream()
                .filter(e -> e.model().equals("cas-register") && e.initialEdn().equals("0") && e.linearizable())
                .toList();
    }

    @Test
    void theKnossosHistoriesThatFailOnlyForTheirNilReadsGetTheHintAndPassWithIt() {
        List<Corpus.Entry> good = goodCasRegisterHistories();
        assertEquals(113, good.size());
        Checker strict = new Checker(CheckOptions.builder().model("cas-register").initialValue(0L).build());
        Checker knossos = new Checker(CheckOptions.builder().model("cas-register").initialValue(0L)
                .nilReads(NilReads.ANYTHING).build());
        int hinted = 0;
        for (Corpus.Entry entry : good) {
            CheckResult result = strict.checkFile(entry.file());
            boolean hint = !result.hints().isEmpty();
            assertEquals(result.validity() == Validity.INVALID, hint, entry.name() + ": hinted exactly when invalid");
            if (hint) {
                hinted++;
                assertTrue(result.hints().contains("--nil-reads anything"), result.hints());
                assertEquals(Validity.VALID, knossos.checkFile(entry.file()).validity(), entry.name());
            }
        }
        assertEquals(89, hinted, "the corpus files that fail at a nil read under the default reading");
    }

    @Test
    void noHintWithKnossosReadingOrWhenTheFailureIsNotANilRead() {
        CheckResult casFailure = new Checker(CheckOptions.builder().model("cas-register").initialValue(0L)
                .nilReads(NilReads.ANYTHING).build()).checkFile(Corpus.file("knossos/cas-register/bad/cas-failure.edn"));
        assertEquals(Validity.INVALID, casFailure.validity());
        assertEquals("", casFailure.hints());
        CheckResult immediate = new Checker(CheckOptions.builder().model("cas-register").initialValue(0L).build())
                .checkFile(Corpus.file("knossos/cas-register/bad/immediate-failure.edn"));
        assertEquals(Validity.INVALID, immediate.validity(), "fails at a read of 3");
        assertEquals("", immediate.hints());
    }

    /** A key written 1, then read nil by n processes, one after another; starting absent. */
    private static List<Op> nilReadsAfterAWrite(int n, boolean alsoWritesNil) {
        HistoryBuilder h = new HistoryBuilder().invoke(0, "write", 1L).ok(0, "write", 1L);
        for (int p = 1; p <= n; p++) {
            h.invoke(p, "read", null).ok(p, "read", null);
        }
        if (alsoWritesNil) {
            h.invoke(9, "write", null).info(9, "write", null);
        }
        return h.build();
    }

    @Test
    void aSingleNilReadAfterAWriteIsAStaleReadNotAPattern() {
        KeyResult one = only(check(nilReadsAfterAWrite(1, false), null, NilReads.ABSENT));
        assertEquals(Validity.INVALID, one.validity());
        assertNull(one.nilReadHint(), "one read of an absent key after it was written is a real stale read");
        KeyResult two = only(check(nilReadsAfterAWrite(2, false), null, NilReads.ABSENT));
        assertNotNull(two.nilReadHint());
        assertTrue(two.nilReadHint().startsWith("Hint: 2 of this key's 2 :ok reads returned nil after the key certainly"
                + " held a value"), two.nilReadHint());
        assertTrue(leasekv.checker.edn.EdnWriter.write(two).contains(":hint \"Hint: 2 of"), "in the result's EDN too");
    }

    @Test
    void noHintWhenSomeOpCouldMakeTheKeyAbsent() {
        KeyResult result = only(check(nilReadsAfterAWrite(2, true), null, NilReads.ABSENT));
        assertEquals(Validity.INVALID, result.validity());
        assertNull(result.nilReadHint(), "a :write nil of unknown outcome could have left nil");
        KeyResult withValue = only(check(nilReadsAfterAWrite(1, false), 5L, NilReads.ABSENT));
        assertTrue(withValue.nilReadHint().contains("though the register starts at 5"), withValue.nilReadHint());
    }
}
