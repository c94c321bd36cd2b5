package leasekv.checker.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import leasekv.checker.CheckOptions;
import leasekv.checker.CheckResult;
import leasekv.checker.Checker;
import leasekv.checker.KeyResult;
import leasekv.checker.Op;
import leasekv.checker.OpType;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgDiagramTest {
    /** The advance of a monospace font: 0.6 em (DejaVu Sans Mono 0.602, Liberation Mono and Courier 0.600). */
    private static final double MONOSPACE_EM = 0.602;

    private static Op op(long process, OpType type, String f, Object value, int index) {
        return new Op(process, type, f, value, index, index * 1_000_000L, null);
    }

    /** A stale read of a register whose values are long: a 400-character word, and a long sentence. */
    private static KeyResult longFailure() {
        String word = "v".repeat(400);
        String sentence = "a value with spaces that goes on ".repeat(12).strip();
        List<Op> ops = new ArrayList<>();
        ops.add(op(0, OpType.INVOKE, "write", word, ops.size()));
        ops.add(op(0, OpType.OK, "write", word, ops.size()));
        ops.add(op(1, OpType.INVOKE, "write", sentence, ops.size()));
        ops.add(op(1, OpType.OK, "write", sentence, ops.size()));
        ops.add(op(2, OpType.INVOKE, "read", null, ops.size()));
        ops.add(op(2, OpType.OK, "read", word, ops.size()));
        CheckResult result = new Checker(CheckOptions.builder().model("register").build()).check(ops);
        return result.results().values().iterator().next();
    }

    @Test
    void noTextLiesBeyondThePicturesWidth() throws Exception {
        KeyResult failure = longFailure();
        assertTrue(failure.explanation().length() > 1000, "the explanation is long: " + failure.explanation().length());
        String svg = SvgDiagram.render(failure);
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
        double width = Double.parseDouble(root.getAttribute("width"));
        NodeList texts = root.getElementsByTagName("text");
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < texts.getLength(); i++) {
            Element text = (Element) texts.item(i);
            double fontPx = text.hasAttribute("font-size") ? Double.parseDouble(text.getAttribute("font-size")) : 12;
            double right = Double.parseDouble(text.getAttribute("x"))
                    + text.getTextContent().length() * fontPx * MONOSPACE_EM;
            assertTrue(right <= width, "text ends at " + right + " px in a " + width + " px picture: " + text.getTextContent());
            shown.append(text.getTextContent());
        }
        String wrapped = shown.toString().replace(" ", "");
        assertTrue(wrapped.contains(failure.explanation().replace(" ", "")), "the whole explanation is shown, wrapped");
        assertTrue(wrapped.contains("Dashed:outcomeunknown."), "the whole legend is shown");
    }

    @Test
    void wrapsAtSpacesAndCutsAWordLongerThanALine() {
        assertEquals(List.of("aaa bb", "cccccc", "cccc d", "e"), SvgDiagram.wrap("aaa bb cccccccccc d\ne", 60, 10));
    }
}
