package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every history of the Knossos corpus gets the verdict MANIFEST.tsv gives it. */
class KnossosCorpusTest {
    static Stream<Corpus.Entry> entries() {
        return Corpus.entries().stream();
    }

    /** The corpus was recorded by clients that wrote nil for a read of unknown value: Knossos's reading. */
    private static CheckResult check(Corpus.Entry entry) {
        CheckOptions options = CheckOptions.builder().model(entry.model()).initialEdn(entry.initialEdn())
                .nilReads(NilReads.ANYTHING).timeLimitSeconds(60).build();
        return new Checker(options).checkFile(entry.file());
    }

    @Test
    void manifestListsTheWholeCorpus() {
        List<Corpus.Entry> entries = Corpus.entries();
        assertEquals(122, entries.size());
        assertEquals(120, entries.stream().filter(e -> e.model().equals("cas-register")).count());
        assertEquals(1, entries.stream().filter(e -> e.model().equals("multi-register")).count());
        assertEquals(1, entries.stream().filter(e -> e.model().equals("mutex")).count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void verdictMatchesManifest(Corpus.Entry entry) {
        CheckResult result = check(entry);
        Validity expected = entry.linearizable() ? Validity.VALID : Validity.INVALID;
        assertEquals(expected, result.validity(), entry.name() + ": " + result.explanation());
    }

    @Test
    void casFailureFailsAtTheReadOfZeroByProcess70AtIndex491() {
        CheckResult result = check(entry("cas-register/bad/cas-failure.edn"));
        Op failing = result.result(null).failingOp();
        assertEquals(491, failing.index());
        assertEquals(70, failing.process());
        assertEquals(OpType.OK, failing.type());
        assertEquals("read", failing.f());
        assertEquals(0L, failing.value());
    }

    /** The file's own comment: an op after the nonlinearizable pair must not be blamed. */
    @Test
    void rethinkFailMinimalBlamesTheReadOfThreeNotTheLaterRead() {
        CheckResult result = check(entry("cas-register/bad/rethink-fail-minimal.edn"));
        Op failing = result.result(null).failingOp();
        assertEquals(1, failing.process());
        assertEquals(3L, failing.value());
        assertEquals(4, failing.index());
    }

    /**
     * bad-analysis.edn: the read of 2 at index 14. A write of 1 that never completed may or may not have
     * happened, but nobody reads 1, so the search drops it and the only state reached is 0; the window still
     * shows every concurrent op.
     */
    @Test
    void failureReportsTheStatesReachedAndTheConcurrentWindow() {
        KeyResult result = check(entry("cas-register/bad/bad-analysis.edn")).result(null);
        assertEquals(14, result.failingOp().index());
        List<Object> states = result.finalConfigs().stream().map(c -> c.state()).toList();
        assertEquals(List.of(0L), states);
        assertTrue(result.window().stream().anyMatch(c -> c.process() == 20 && c.f().equals("write")),
                "the write of 1 is in the window");
        assertTrue(result.window().stream().anyMatch(c -> c.process() == 22 && c.f().equals("read")),
                "the concurrent read of 3 is in the window");
        assertEquals(OpType.OK, result.linearizationTail().get(0).call().reportedOp().type());
        assertTrue(result.linearizedCount() > 0);
    }

    /** With the default reading, nil is a real observation: the same corpus file fails at its first nil read. */
    @Test
    void nilReadIsAnObservationByDefault() {
        Corpus.Entry entry = entry("cas-register/good/memstress3-4.edn");
        CheckResult strict = new Checker(CheckOptions.builder().model("cas-register").initialEdn("0").build())
                .checkFile(entry.file());
        assertEquals(Validity.INVALID, strict.validity());
        Op failing = strict.result(null).failingOp();
        assertNotNull(failing);
        assertEquals("read", failing.f());
        assertEquals(null, failing.value());
        assertTrue(strict.explanation().contains("nil (the key was absent)"), strict.explanation());
    }

    private static Corpus.Entry entry(String relative) {
        return Corpus.entries().stream().filter(e -> e.file().endsWith(relative)).findFirst().orElseThrow();
    }
}
