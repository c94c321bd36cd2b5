package leasekv.checker.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import leasekv.checker.HistoryException;
import leasekv.checker.Op;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.gen.CrashHistoryGenerator;
import leasekv.checker.gen.CrashHistorySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading in parts gives exactly what reading in one go gives, or steps aside for it. */
class ParallelHistoryReaderTest {
    private static final int THREADS = 3;

    private static List<Op> sequential(Path file) throws IOException {
        return HistoryReader.read(Files.newInputStream(file), file.toString());
    }

    /** A history as EDN text: one op map per line, optionally inside a vector, optionally without :index. */
    private static String edn(List<Op> ops, boolean vector, boolean withIndex) {
        StringBuilder text = new StringBuilder(vector ? "[" : "");
        for (Op op : ops) {
            EdnWriter.write(withIndex ? op : op.withIndex(Op.NO_INDEX), text);
            text.append('\n');
        }
        return text.append(vector ? "]\n" : "").toString();
    }

    private static List<Op> history() {
        return CrashHistoryGenerator.generate(CrashHistorySpec.killRun(20, 5, 200, 4));
    }

    @Test
    void partsGiveTheSameOpsAsOneGo(@TempDir Path dir) throws IOException {
        for (boolean vector : List.of(true, false)) {
            for (boolean withIndex : List.of(true, false)) {
                Path file = dir.resolve("h-" + vector + withIndex + ".edn");
                Files.writeString(file, edn(history(), vector, withIndex));
                List<Op> parallel = ParallelHistoryReader.tryRead(file, THREADS, 0);
                assertNotNull(parallel, "vector " + vector + ", index " + withIndex);
                assertEquals(sequential(file), parallel);
            }
        }
    }

    @Test
    void aCutInsideAMultiLineStringIsNotTrusted(@TempDir Path dir) throws IOException {
        // Every op carries a string whose lines look like op maps: most cuts land inside one.
        StringBuilder text = new StringBuilder("[");
        for (Op op : history()) {
            String map = EdnWriter.write(op);
            text.append(map, 0, map.length() - 1).append(", :note \"x\n{:process 1, :type :ok}\n\"}\n");
        }
        Path file = dir.resolve("strings.edn");
        Files.writeString(file, text.append("]").toString());
        assertNull(ParallelHistoryReader.tryRead(file, THREADS, 0));
        assertEquals(sequential(file), HistoryReader.read(file, THREADS));
    }

    @Test
    void otherShapesAndErrorsAreLeftToTheSequentialReader(@TempDir Path dir) throws IOException {
        List<Op> ops = history();
        Path twoVectors = dir.resolve("two.edn");
        Files.writeString(twoVectors, edn(ops.subList(0, 2000), true, true) + edn(ops.subList(2000, 4000), true, true));
        assertNull(ParallelHistoryReader.tryRead(twoVectors, THREADS, 0));
        assertEquals(4000, HistoryReader.read(twoVectors, THREADS).size());

        Path broken = dir.resolve("broken.edn");
        String text = edn(ops, true, false);
        int middle = text.indexOf("\n{", text.length() / 2) + 1;
        Files.writeString(broken, text.substring(0, middle) + "{:process 1, :f :read}\n" + text.substring(middle));
        assertNull(ParallelHistoryReader.tryRead(broken, THREADS, 0));
        HistoryException parallel = assertThrows(HistoryException.class, () -> HistoryReader.read(broken, THREADS));
        HistoryException oneGo = assertThrows(HistoryException.class, () -> sequential(broken));
        assertEquals(oneGo.getMessage().replace(broken.toString(), ""), parallel.getMessage().replace(broken.toString(), ""));
    }

    @Test
    void smallFilesAndOneThreadAreReadInOneGo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("small.edn");
        Files.writeString(file, edn(history(), true, true));
        assertNull(ParallelHistoryReader.tryRead(file, THREADS));
        assertNull(ParallelHistoryReader.tryRead(file, 1, 0));
    }
}
