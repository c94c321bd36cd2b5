package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import leasekv.checker.edn.EdnReader;
import leasekv.checker.edn.Keyword;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** What a failure reports: Jepsen's result shape, the stale read in plain words, the SVG diagram. */
class ResultReportTest {
    private static final Map<String, Object> SERVED = Map.of("node", "n2", "term", 7L, "read-mode", "lease");

    /** Key 7: write 1, write 2 acknowledged at 20 ms, then a read at 30 ms returns 1, served by n2. */
    private static List<Op> staleReadHistory() {
        return new HistoryBuilder()
                .atMillis(1).invoke(0, "write", List.of(7L, 1L)).atMillis(2).ok(0, "write", List.of(7L, 1L))
                .atMillis(10).invoke(1, "write", List.of(7L, 2L)).atMillis(20).ok(1, "write", List.of(7L, 2L))
                .atMillis(30).invoke(2, "read", Arrays.asList(7L, null)).atMillis(31).ok(2, "read", List.of(7L, 1L), SERVED)
                .build();
    }

    @Test
    void staleReadSaysWhichReadWhichWriteAndHowLongAfter() {
        CheckResult result = new Checker(CheckOptions.defaults()).check(staleReadHistory());
        assertEquals(Validity.INVALID, result.validity());
        StaleRead stale = result.staleReads().get(0);
        assertEquals(7L, stale.key());
        assertEquals(5, stale.readIndex());
        assertEquals(1L, stale.readValue());
        assertEquals(3, stale.writeIndex());
        assertEquals(2L, stale.writtenValue());
        assertEquals(20_000_000L, stale.writeAckedNanos());
        assertEquals(10.0, stale.lagMillis(), 1e-9);
        assertEquals("n2", stale.readField("node"));
        assertEquals("Read of key 7 by process 2 (op index 5; node n2, term 7, read-mode lease) returned 1, but the "
                + "write of 2 by process 1 (op index 3) had been acknowledged 10.000 ms before the read began.",
                stale.explanation());
    }

    @Test
    void readOfAnAbsentKeyAfterAnAcknowledgedWriteIsStale() {
        List<Op> history = new HistoryBuilder().invoke(0, "write", 5L).ok(0, "write", 5L)
                .invoke(1, "read", null).ok(1, "read", null).build();
        StaleRead stale = new Checker(CheckOptions.defaults()).check(history).staleReads().get(0);
        assertNull(stale.readValue());
        assertTrue(stale.explanation().contains("returned nil (the key was absent)"), stale.explanation());
    }

    @Test
    void aValueNobodyWroteIsNotAStaleRead() {
        List<Op> history = new HistoryBuilder().invoke(0, "write", 5L).ok(0, "write", 5L)
                .invoke(1, "read", null).ok(1, "read", 6L).build();
        CheckResult result = new Checker(CheckOptions.defaults()).check(history);
        assertEquals(Validity.INVALID, result.validity());
        assertTrue(result.staleReads().isEmpty());
        assertTrue(result.explanation().contains("the read returned 6, but the register held 5"), result.explanation());
    }

    @Test
    void ednResultHasJepsensShape() {
        String edn = new Checker(CheckOptions.defaults()).check(staleReadHistory()).toEdn();
        Map<?, ?> result = (Map<?, ?>) EdnReader.readString(edn);
        assertEquals(false, result.get(k("valid?")));
        assertEquals(List.of(7L), result.get(k("failures")));
        Map<?, ?> key = (Map<?, ?>) ((Map<?, ?>) result.get(k("results"))).get(7L);
        assertEquals(false, key.get(k("valid?")));
        Map<?, ?> op = (Map<?, ?>) key.get(k("op"));
        assertEquals(5L, op.get(k("index")));
        assertEquals("n2", op.get(k("node")));
        assertEquals("lease", op.get(k("read-mode")));
        List<?> configs = (List<?>) key.get(k("configs"));
        assertEquals(Map.of(k("value"), 2L), ((Map<?, ?>) configs.get(0)).get(k("model")));
        Map<?, ?> prefix = (Map<?, ?>) key.get(k("linearizable-prefix"));
        assertEquals(2L, prefix.get(k("linearized-count")));
        assertNotNull(key.get(k("window")));
        Map<?, ?> stale = (Map<?, ?>) key.get(k("stale-read"));
        assertEquals(10.0, stale.get(k("lag-ms")));
        assertEquals(7L, stale.get(k("term")));
        assertTrue(new Checker(CheckOptions.defaults()).check(staleReadHistory()).toJson().startsWith("{\"valid?\":false,"));
    }

    @Test
    void svgDiagramIsWellFormedAndHighlightsTheFailingOp(@TempDir Path dir) throws Exception {
        CheckResult result = new Checker(CheckOptions.builder().initialEdn("0").nilReads(NilReads.ANYTHING).build())
                .checkFile(Corpus.file("knossos/cas-register/bad/cas-failure.edn"));
        List<Path> files = result.writeSvgs(dir);
        assertEquals(List.of(dir.resolve("linear.svg")), files);
        String svg = Files.readString(files.get(0));
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", document.getDocumentElement().getNodeName());
        assertTrue(svg.contains("process 70"), "a lane for the failing process");
        assertTrue(svg.contains("stroke=\"#c00000\""), "the failing op is outlined in red");
        assertTrue(svg.contains("cannot be linearized"));
        assertTrue(svg.contains("{:value 2}"), "model states along the path");
        assertTrue(result.writeSvg(dir.resolve("one.svg")));
    }

    private static Keyword k(String name) {
        return Keyword.of(name);
    }
}
