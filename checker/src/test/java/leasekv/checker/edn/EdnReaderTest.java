package leasekv.checker.edn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EdnReaderTest {
    @Test
    void readsScalars() {
        assertEquals(null, EdnReader.readString("nil"));
        assertEquals(true, EdnReader.readString("true"));
        assertEquals(-42L, EdnReader.readString("-42"));
        assertEquals(7L, EdnReader.readString("+7"));
        assertEquals(new BigInteger("123456789012345678901234567890"), EdnReader.readString("123456789012345678901234567890"));
        assertEquals(5L, EdnReader.readString("5N"));
        assertEquals(1.5, EdnReader.readString("1.5"));
        assertEquals(-2.5e3, EdnReader.readString("-2.5e3"));
        assertEquals(new java.math.BigDecimal("1.25"), EdnReader.readString("1.25M"));
        assertEquals(Double.POSITIVE_INFINITY, EdnReader.readString("##Inf"));
        assertEquals("a \"q\"\n\u00e9\u20ac", EdnReader.readString("\"a \\\"q\\\"\\n\u00e9\\u20ac\""));
        assertEquals('x', EdnReader.readString("\\x"));
        assertEquals('\n', EdnReader.readString("\\newline"));
        assertEquals(new Symbol("foo/bar"), EdnReader.readString("foo/bar"));
    }

    @Test
    void internsKeywords() {
        Object keyword = EdnReader.readString(":read");
        assertSame(Keyword.of("read"), keyword);
        assertSame(Keyword.of("read"), Keyword.of(":read"));
        assertEquals(":read", keyword.toString());
    }

    @Test
    void readsCollectionsWithCommasCommentsAndDiscards() {
        Object form = EdnReader.readString("{:a [1, 2 nil] ; comment\n :b (x #_ ignored y) :c #{1 2} #_ :gone}");
        Map<?, ?> map = (Map<?, ?>) form;
        assertEquals(Arrays.asList(1L, 2L, null), map.get(Keyword.of("a")));
        assertEquals(List.of(new Symbol("x"), new Symbol("y")), map.get(Keyword.of("b")));
        assertEquals(Set.of(1L, 2L), map.get(Keyword.of("c")));
        assertEquals(3, map.size());
    }

    @Test
    void keepsTaggedLiterals() {
        Tagged inst = (Tagged) EdnReader.readString("#inst \"2024-01-01T00:00:00Z\"");
        assertEquals("inst", inst.tag());
        assertEquals("2024-01-01T00:00:00Z", inst.value());
        Tagged record = (Tagged) EdnReader.readString("#jepsen.history.Op{:index 1}");
        assertEquals(Map.of(Keyword.of("index"), 1L), record.value());
    }

    @Test
    void readsAcrossBufferBoundaries() {
        StringBuilder text = new StringBuilder("[");
        String longString = "x".repeat(100_000);
        for (int i = 0; i < 5000; i++) {
            text.append("{:i ").append(i).append(" :k :some-keyword} ");
        }
        text.append('"').append(longString).append("\"]");
        List<?> items = (List<?>) EdnReader.readString(text.toString());
        assertEquals(5001, items.size());
        assertEquals(4999L, ((Map<?, ?>) items.get(4999)).get(Keyword.of("i")));
        assertEquals(longString, items.get(5000));
    }

    @Test
    void errorsNameLineAndColumn() {
        EdnException unclosed = assertThrows(EdnException.class, () -> EdnReader.readString("[1 2\n 3"));
        assertTrue(unclosed.getMessage().contains("end of input inside a collection"), unclosed.getMessage());
        EdnException stray = assertThrows(EdnException.class, () -> EdnReader.readString("{:a 1}\n\n  ]"));
        assertEquals(3, stray.line());
        assertEquals(3, stray.column());
        assertThrows(EdnException.class, () -> EdnReader.readString("{:a}"));
        assertThrows(EdnException.class, () -> EdnReader.readString("\"open"));
        assertThrows(EdnException.class, () -> EdnReader.readString("1 2"));
        assertThrows(EdnException.class, () -> EdnReader.readString("\\bogus"));
    }

    @Test
    void writerRoundTrips() {
        String text = "{:a [1 -2 nil \"s\\n\"], :b #{:k}, :c 1.5, :d #inst \"t\", :e \\space, :f {}}";
        Object form = EdnReader.readString(text);
        assertEquals(form, EdnReader.readString(EdnWriter.write(form)));
        assertEquals("{\"a\":[1,-2,null,\"s\\n\"],\"c\":1.5}",
                JsonWriter.write(EdnReader.readString("{:a [1 -2 nil \"s\\n\"] :c 1.5}")));
    }

    @Test
    void streamsTopLevelForms() {
        EdnReader reader = new EdnReader(new ByteArrayInputStream("{:a 1}\n{:a 2}\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Map.of(Keyword.of("a"), 1L), reader.read());
        assertEquals(Map.of(Keyword.of("a"), 2L), reader.read());
        assertSame(EdnReader.EOF, reader.read());
    }
}
