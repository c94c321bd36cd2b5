package leasekv.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import leasekv.checker.history.HistoryReader;
import org.junit.jupiter.api.Test;

class HistoryReaderTest {
    private static final String OPS = "{:process 0, :type :invoke, :f :write, :value 1}\n"
            + "{:process 0, :type :ok, :f :write, :value 1, :node \"n1\"}\n";

    @Test
    void readsEveryShape() {
        List<Op> vector = HistoryReader.readString("[" + OPS + "]");
        assertEquals(vector, HistoryReader.readString("(" + OPS + ")"));
        assertEquals(vector, HistoryReader.readString(OPS));
        assertEquals(vector, HistoryReader.readString("; a comment\n[" + OPS.replace("\n", ",\n") + "] ; done"));
        assertEquals(vector, HistoryReader.readString("[#jepsen.history.Op{:process 0, :type :invoke, :f :write, :value 1}]\n"
                + "[{:process 0, :type :ok, :f :write, :value 1, :node \"n1\"}]"));
        assertEquals(2, vector.size());
        assertEquals(1, vector.get(1).index());
        assertEquals("n1", vector.get(1).extra("node"));
    }

    @Test
    void keepsIndexTimeAndExtraFields() {
        Op op = HistoryReader.readString("[{:index 17, :time 123, :process :nemesis, :type :info, :f :start, "
                + ":value nil, :error [:partition \"x\"]}]").get(0);
        assertEquals(17, op.index());
        assertEquals(123, op.timeNanos());
        assertTrue(op.isNemesis());
        assertEquals(List.of(leasekv.checker.edn.Keyword.of("partition"), "x"), op.extra("error"));
    }

    @Test
    void malformedEdnNamesLineAndColumn() {
        HistoryException e = assertThrows(HistoryException.class,
                () -> HistoryReader.readString("[{:process 0, :type :invoke, :f :read, :value nil}\n {:process 1 :type"));
        assertTrue(e.getMessage().contains("malformed EDN at line 2"), e.getMessage());
    }

    @Test
    void badOpsNameTheirIndex() {
        assertMessage("op index 1: expected an op map", "[{:process 0, :type :invoke, :f :read, :value nil} 42]");
        assertMessage("op index 0: op has no :type", "[{:process 0, :f :read}]");
        assertMessage(":type must be :invoke, :ok, :fail or :info, not :done", "[{:process 0, :type :done, :f :read}]");
        assertMessage(":process must be an integer or :nemesis", "[{:process \"p\", :type :invoke, :f :read}]");
    }

    private static void assertMessage(String expected, String edn) {
        HistoryException e = assertThrows(HistoryException.class, () -> HistoryReader.readString(edn));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
