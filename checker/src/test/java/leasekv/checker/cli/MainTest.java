package leasekv.checker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import leasekv.checker.Corpus;
import leasekv.checker.edn.EdnReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private static final String CORPUS = corpus();

    private static String corpus() {
        return Corpus.root().resolve("knossos/cas-register").toString();
    }

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final String[] KNOSSOS = {"--initial", "0", "--nil-reads", "anything"};

    private static String[] args(String[] options, String... rest) {
        String[] all = new String[options.length + rest.length];
        System.arraycopy(options, 0, all, 0, options.length);
        System.arraycopy(rest, 0, all, options.length, rest.length);
        return all;
    }

    @Test
    void printsOneLinePerFileAndExitsZeroWhenAllValid() {
        Run run = run(args(KNOSSOS, CORPUS + "/good/memstress3-0.edn", CORPUS + "/good/memstress3-1.edn"));
        assertEquals(0, run.status(), run.err());
        String[] lines = run.out().split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].matches(".*memstress3-0.edn\tvalid\t\\d+ ops\t\\d+ ms"), lines[0]);
    }

    @Test
    void exitsOneWhenAnyFileIsInvalidAndExplains() {
        Run run = run(args(KNOSSOS, "--explain", CORPUS + "/good/memstress3-0.edn", CORPUS + "/bad/cas-failure.edn"));
        assertEquals(1, run.status(), run.err());
        assertTrue(run.out().contains("cas-failure.edn\tinvalid"), run.out());
        assertTrue(run.out().contains("op index 491"), run.out());
    }

    @Test
    void exitsTwoWhenUnknown(@TempDir Path dir) throws Exception {
        // 40 crashed writes, each read by one of 40 overlapping reads (so none can be dropped, and their order
        // is free); then a write, and a read of 1 that only the crashed write of 1, already read, could explain.
        StringBuilder history = new StringBuilder("[{:process 99, :type :invoke, :f :write, :value 0}"
                + " {:process 99, :type :ok, :f :write, :value 0}\n");
        for (int p = 1; p <= 40; p++) {
            history.append("{:process ").append(p).append(", :type :invoke, :f :write, :value ").append(p).append("}\n");
            history.append("{:process ").append(100 + p).append(", :type :invoke, :f :read, :value nil}\n");
        }
        for (int p = 1; p <= 40; p++) {
            history.append("{:process ").append(p).append(", :type :info, :f :write, :value ").append(p).append("}\n");
            history.append("{:process ").append(100 + p).append(", :type :ok, :f :read, :value ").append(p).append("}\n");
        }
        history.append("{:process 99, :type :invoke, :f :write, :value 41} {:process 99, :type :ok, :f :write, :value 41}\n");
        history.append("{:process 99, :type :invoke, :f :read, :value nil} {:process 99, :type :ok, :f :read, :value 1}]");
        Path file = dir.resolve("hard.edn");
        Files.writeString(file, history);
        Run run = run("--time-limit", "0.3", file.toString());
        assertEquals(2, run.status(), run.out() + run.err());
        assertTrue(run.out().contains("\tunknown\t"), run.out());
    }

    @Test
    void badInputAndUsageExit254(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.edn");
        Files.writeString(bad, "[{:process 0, :type :invoke, :f :read, :value nil}\n{:process 0, :type :invoke, :f :read}]");
        Run run = run(bad.toString(), CORPUS + "/good/memstress3-0.edn");
        assertEquals(254, run.status());
        assertTrue(run.out().contains("op index 1: process 0 invoked :read while its :read invoked at op index 0"), run.out());
        assertEquals(254, run(dir.resolve("missing.edn").toString()).status());
        Path malformed = dir.resolve("malformed.edn");
        Files.writeString(malformed, "[{:process 0 :type");
        assertTrue(run(malformed.toString()).out().contains("malformed EDN"));
        assertEquals(254, run("--model", "btree", bad.toString()).status());
        assertEquals(254, run("--time-limit", "soon", bad.toString()).status());
        assertEquals(254, run("--bogus").status());
        assertEquals(254, run().status());
        assertEquals(0, run("--help").status());
    }

    @Test
    void ednOutputIsAMapFromFileToResultAndSvgsAreWritten(@TempDir Path dir) {
        String file = CORPUS + "/bad/cas-failure.edn";
        Run run = run(args(KNOSSOS, "--edn", "--svg", dir.toString(), file));
        assertEquals(1, run.status());
        Map<?, ?> documents = (Map<?, ?>) EdnReader.readString(run.out());
        Map<?, ?> result = (Map<?, ?>) documents.get(file);
        assertEquals(false, result.get(leasekv.checker.edn.Keyword.of("valid?")));
        assertTrue(run.err().contains("cas-failure.edn\tinvalid"), "the summary moves to stderr");
        assertTrue(Files.exists(dir.resolve("linear.svg")));
        Run json = run(args(KNOSSOS, "--json", file));
        assertTrue(json.out().startsWith("{\"" + file + "\":{\"valid?\":false"), json.out());
    }
}
