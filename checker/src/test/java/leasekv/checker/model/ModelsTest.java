package leasekv.checker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import leasekv.checker.Op;
import leasekv.checker.edn.EdnReader;
import leasekv.checker.edn.Keyword;
import org.junit.jupiter.api.Test;

/** Each model's sequential behaviour, one operation at a time. */
class ModelsTest {
    private static Call ok(String f, Object value) {
        return new Call(0, Keyword.of(f), value, Op.invoke(0, f, value), Op.ok(0, f, value), 0, 1);
    }

    private static Call unknown(String f, Object value) {
        return new Call(0, Keyword.of(f), value, Op.invoke(0, f, value), null, 0, -1);
    }

    private static Model model(String name, String initialEdn) {
        return Models.create(name, EdnReader.readString(initialEdn), false);
    }

    @Test
    void casRegister() {
        Model register = model("cas-register", "0");
        assertEquals(0L, register.step(0L, ok("read", 0L)));
        assertSame(Model.INCONSISTENT, register.step(0L, ok("read", 1L)));
        assertSame(Model.INCONSISTENT, register.step(0L, ok("read", null)));
        assertEquals(3L, register.step(0L, ok("write", 3L)));
        assertEquals(2L, register.step(1L, ok("cas", List.of(1L, 2L))));
        assertSame(Model.INCONSISTENT, register.step(0L, ok("cas", List.of(1L, 2L))));
        assertEquals(null, Models.create("register", null, false).initialState());
        assertEquals(5L, Models.create("register", null, true).step(5L, ok("read", null)));
        assertTrue(register.isReadOnly(ok("read", 1L)));
        assertEquals(Map.of(Keyword.of("value"), 4L), register.stateToEdn(4L));
    }

    @Test
    void multiRegister() {
        Model registers = model("multi-register", "{:x 0 :y 0}");
        Object state = registers.initialState();
        Keyword read = Keyword.of("read");
        Keyword write = Keyword.of("write");
        Keyword x = Keyword.of("x");
        Object after = registers.step(state, ok("txn", List.of(List.of(read, x, 0L), List.of(write, x, 5L),
                List.of(read, x, 5L))));
        assertEquals(Map.of(x, 5L, Keyword.of("y"), 0L), after);
        assertSame(Model.INCONSISTENT, registers.step(state, ok("txn", List.of(List.of(read, x, 1L)))));
        assertEquals(state, registers.step(state, unknown("txn", List.of(Arrays.asList(read, x, null)))));
        assertThrows(IllegalArgumentException.class, () -> registers.validate(ok("txn", List.of(List.of(read, x)))));
    }

    @Test
    void mutex() {
        Model lock = model("mutex", ":free");
        assertEquals(true, lock.step(false, ok("acquire", null)));
        assertSame(Model.INCONSISTENT, lock.step(true, ok("acquire", null)));
        assertEquals(false, lock.step(true, ok("release", null)));
        assertSame(Model.INCONSISTENT, lock.step(false, ok("release", null)));
        assertEquals(true, model("mutex", ":held").initialState());
        assertThrows(IllegalArgumentException.class, () -> model("mutex", ":ajar"));
    }

    @Test
    void set() {
        Model set = model("set", "#{1}");
        Object added = set.step(set.initialState(), ok("add", 2L));
        assertEquals(Set.of(1L, 2L), added);
        assertEquals(added, set.step(added, ok("read", List.of(2L, 1L))));
        assertSame(Model.INCONSISTENT, set.step(added, ok("read", List.of(1L))));
        assertTrue(set.isDeadEnd(added, ok("read", List.of(1L, 3L))), "2 can never leave the set");
        assertEquals(false, set.isDeadEnd(added, ok("read", List.of(1L, 2L, 3L))));
    }

    @Test
    void queues() {
        Model fifo = model("fifo-queue", "[]");
        Object one = fifo.step(fifo.initialState(), ok("enqueue", 1L));
        Object two = fifo.step(one, ok("enqueue", 2L));
        assertSame(Model.INCONSISTENT, fifo.step(two, ok("dequeue", 2L)));
        assertEquals(List.of(2L), fifo.step(two, ok("dequeue", 1L)));
        assertEquals(List.of(2L), fifo.step(two, unknown("dequeue", null)));
        assertSame(Model.INCONSISTENT, fifo.step(two, ok("dequeue", null)));
        assertEquals(List.of(), fifo.step(List.of(), ok("dequeue", null)));

        Model unordered = model("unordered-queue", "[]");
        Object both = unordered.step(unordered.step(unordered.initialState(), ok("enqueue", 1L)), ok("enqueue", 2L));
        assertEquals(Map.of(1L, 1), unordered.step(both, ok("dequeue", 2L)));
        Object choices = unordered.step(both, unknown("dequeue", null));
        assertTrue(choices instanceof Model.Choices);
        assertEquals(2, ((Model.Choices) choices).states().size());
    }

    @Test
    void fifoForKeyCutsEnqueueOrdersTheDequeuesRuleOut() {
        // Dequeue of 2 (positions 4-5) ends before the dequeue of 1 begins (6-7), so 2 cannot be behind 1.
        Call enqueueOne = new Call(0, Keyword.of("enqueue"), 1L, Op.invoke(0, "enqueue", 1L), null, 0, 2);
        Call enqueueTwo = new Call(1, Keyword.of("enqueue"), 2L, Op.invoke(1, "enqueue", 2L), null, 1, 3);
        Call dequeueTwo = new Call(2, Keyword.of("dequeue"), 2L, Op.invoke(2, "dequeue", null), null, 4, 5);
        Call dequeueOne = new Call(3, Keyword.of("dequeue"), 1L, Op.invoke(3, "dequeue", null), null, 6, 7);
        Model fifo = model("fifo-queue", "[]").forKey(List.of(enqueueOne, enqueueTwo, dequeueTwo, dequeueOne));
        assertSame(Model.INCONSISTENT, fifo.step(List.of(1L), enqueueTwo));
        assertEquals(List.of(2L, 1L), fifo.step(List.of(2L), enqueueOne));
    }

    @Test
    void unknownModelsAndBadInitialValuesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.create("btree", null, false));
        assertTrue(e.getMessage().contains("known models: register, cas-register"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model("multi-register", "[1]"));
        assertThrows(IllegalArgumentException.class, () -> model("fifo-queue", "7"));
    }
}
