package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import leasekv.checker.edn.Keyword;
import org.junit.jupiter.api.Test;

/** Building ops the way Clojure interop would: keywords or strings, boxed ints, maps of fields. */
class OpInteropTest {
    @Test
    void factoryAcceptsKeywordsStringsAndBoxedIntegers() {
        Op op = Op.of(3, Keyword.of("ok"), ":read", List.of(Integer.valueOf(1), "v"), 12, 1_000L,
                Map.of(Keyword.of("node"), "n1", "term", 4));
        assertEquals(3, op.process());
        assertEquals(OpType.OK, op.type());
        assertEquals("read", op.f());
        assertEquals(List.of(1L, "v"), op.value());
        assertEquals(12, op.index());
        assertEquals(1_000, op.timeNanos());
        assertEquals("n1", op.extra("node"));
        assertEquals(4L, op.extra("term"));
        assertTrue(op.toString().startsWith("{:process 3, :type :ok, :f :read, :value [1 \"v\"], :index 12, :time 1000, "),
                op.toString());
        assertTrue(op.toString().contains(":node \"n1\"") && op.toString().contains(":term 4"), op.toString());
    }

    @Test
    void mapsOfFieldsBecomeOps() {
        Map<Object, Object> fields = new LinkedHashMap<>();
        fields.put(Keyword.of("process"), 1L);
        fields.put(Keyword.of("type"), Keyword.of("invoke"));
        fields.put(Keyword.of("f"), Keyword.of("write"));
        fields.put(Keyword.of("value"), 5L);
        fields.put(Keyword.of("read-mode"), "lease");
        Op op = Op.fromMap(fields);
        assertEquals(Op.NO_INDEX, op.index());
        assertEquals("lease", op.extra("read-mode"));
        List<Object> history = new ArrayList<>();
        history.add(fields);
        Map<Object, Object> completion = new LinkedHashMap<>(fields);
        completion.put(Keyword.of("type"), "ok");
        history.add(completion);
        CheckResult result = new Checker(CheckOptions.defaults()).check(history);
        assertEquals(Validity.VALID, result.validity());
    }

    @Test
    void badFieldsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Op.of(1, "started", "read", null, null, null, null));
        assertTrue(e.getMessage().contains(":type must be"), e.getMessage());
        HistoryException h = assertThrows(HistoryException.class,
                () -> new Checker(CheckOptions.defaults()).check(List.of(Map.of(Keyword.of("type"), "ok"))));
        assertTrue(h.getMessage().contains("op index 0: op has no :process"), h.getMessage());
        assertThrows(HistoryException.class, () -> new Checker(CheckOptions.defaults()).check(List.of("nonsense")));
    }

    @Test
    void optionsFromEdn() {
        CheckOptions options = CheckOptions.fromEdn("{:model :multi-register, :initial {:x 0}, :time-limit 2.5,"
                + " :memory-limit-mb 64, :parallelism 1, :nil-reads :anything, :independent false, :fail-fast true}");
        assertEquals("multi-register", options.model());
        assertEquals(Map.of(Keyword.of("x"), 0L), options.initialValue());
        assertEquals(2500, options.timeLimitMillis());
        assertEquals(64L << 20, options.memoryLimitBytes());
        assertEquals(NilReads.ANYTHING, options.nilReads());
        assertEquals(IndependentKeys.NO, options.independentKeys());
        assertTrue(options.failFast());
        assertThrows(IllegalArgumentException.class, () -> CheckOptions.fromEdn("{:modle :register}"));
        assertThrows(IllegalArgumentException.class, () -> CheckOptions.fromEdn("{:model :btree}"));
        assertThrows(IllegalArgumentException.class, () -> CheckOptions.builder().model("set").initialEdn("5").build());
    }
}
