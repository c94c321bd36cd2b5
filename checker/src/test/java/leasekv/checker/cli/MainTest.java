package leasekv.checker.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        return runWithInput(new byte[0], args);
    }

    private static Run runWithInput(byte[] input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new java.io.ByteArrayInputStream(input), new PrintStream(out, true, StandardCharsets.UTF_8),
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
    void explainSuggestsKnossosNilReadsWhenTheNilReadsLookLikeUnknownValues() {
        String file = CORPUS + "/good/memstress3-4.edn";
        Run explained = run("--initial", "0", "--explain", file);
        assertEquals(1, explained.status());
        List<String> lines = explained.out().lines().toList();
        assertTrue(lines.get(1).contains("op index 3 (process 44 read nil)"), explained.out());
        assertTrue(lines.get(2).startsWith("  Hint: 5 of this key's 156 :ok reads returned nil, though the register starts"
                + " at 0"), explained.out());
        assertTrue(lines.get(2).contains("check it with --nil-reads anything"), explained.out());
        assertEquals(1, run("--initial", "0", file).out().lines().count(), "only --explain prints it");
        assertEquals(0, run("--initial", "0", "--nil-reads", "anything", file).status());
    }

    /**
     * 40 crashed writes, each read by one of 40 overlapping reads (so none can be dropped, and their order is
     * free); then a write, and a read of 1 that only the crashed write of 1, already read, could explain.
     */
    private static String hardHistory() {
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
        return history.append("{:process 99, :type :invoke, :f :read, :value nil} {:process 99, :type :ok, :f :read, :value 1}]")
                .toString();
    }

    @Test
    void exitsTwoWhenUnknown(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hard.edn");
        Files.writeString(file, hardHistory());
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
    void anEmptyHistoryIsBadInputUnlessAllowed(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.edn"), "");
        Path blank = Files.writeString(dir.resolve("blank.edn"), "  \n\t\n");
        Path vector = Files.writeString(dir.resolve("vector.edn"), "[]\n");
        Path comments = Files.writeString(dir.resolve("comments.edn"), "; nothing here\n[] []");
        Path nemesisOnly = Files.writeString(dir.resolve("nemesis.edn"),
                "{:process :nemesis, :type :info, :f :start, :value nil}\n");
        for (Path file : new Path[] {empty, blank, vector, comments}) {
            Run run = run(file.toString());
            assertEquals(254, run.status(), run.out());
            assertEquals(file + "\terror\t" + file + ": no ops (--allow-empty accepts such a history as valid)",
                    run.out().strip());
            assertEquals(0, run("--allow-empty", file.toString()).status());
        }
        Run nemesis = run(nemesisOnly.toString());
        assertEquals(254, nemesis.status());
        assertTrue(nemesis.out().contains("no client ops, only 1 nemesis ops"), nemesis.out());
        assertEquals(254, runWithInput(new byte[0], "-").status(), "an empty standard input");
    }

    @Test
    void dashReadsStandardInput() throws Exception {
        byte[] history = Files.readAllBytes(Path.of(CORPUS + "/bad/cas-failure.edn"));
        Run run = runWithInput(history, args(KNOSSOS, CORPUS + "/good/memstress3-0.edn", "-"));
        assertEquals(1, run.status(), run.out() + run.err());
        assertTrue(run.out().contains("\n-\tinvalid\t590 ops\t"), run.out());
        Run malformed = runWithInput("[{:process 0 :type".getBytes(StandardCharsets.UTF_8), "-");
        assertTrue(malformed.out().startsWith("-\terror\t-: malformed EDN"), malformed.out());
        assertEquals(254, run("-", "-").status(), "standard input cannot be read twice");
    }

    @Test
    void readsAFileThatCannotSeekSuchAsAPipe(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("history.fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        Thread writer = new Thread(() -> {
            try (java.io.OutputStream pipe = Files.newOutputStream(fifo)) {
                Files.copy(Path.of(CORPUS + "/good/memstress3-0.edn"), pipe);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        Run run = run(args(KNOSSOS, fifo.toString()));
        writer.join(10_000);
        assertEquals(0, run.status(), run.out() + run.err());
        assertTrue(run.out().matches("(?s).*history.fifo\\tvalid\\t\\d+ ops.*"), run.out());
    }

    @Test
    void aBinaryFileIsNamedWithItsBytesEscaped(@TempDir Path dir) throws Exception {
        Path binary = dir.resolve("a.out");
        byte[] bytes = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0x1b, (byte) 0xff, (byte) 0xfe, 7, 'x'};
        Files.write(binary, bytes);
        Run run = run(binary.toString());
        assertEquals(254, run.status());
        String line = run.out().strip();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.contains("\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x1b\\ufffd\\ufffd\\x07x"), line);
        for (char c : line.replace('\t', ' ').toCharArray()) {
            assertTrue(c >= 0x20 && c < 0x7f, "unprintable character " + (int) c + " in " + line);
        }
        Run usage = run("--model", "\u001b[2J", binary.toString());
        assertTrue(usage.err().startsWith("bin/checker: --model cannot be '\\x1b[2J'"), usage.err());
    }

    @Test
    void anSvgDirectoryThatCannotHoldFilesIsAUsageErrorBeforeAnySearch(@TempDir Path dir) throws Exception {
        Path plain = Files.writeString(dir.resolve("plain"), "a file");
        String history = CORPUS + "/bad/cas-failure.edn";
        String[][] cases = {
            {plain.toString(), "not a directory"},
            {plain.resolve("sub").toString(), "not a directory"},
            {"/proc/leasekv-checker-test", "cannot create a directory there"},
        };
        for (String[] c : cases) {
            Run run = run(args(KNOSSOS, "--svg", c[0], history));
            assertEquals(254, run.status(), run.err());
            assertEquals("", run.out(), "nothing was checked");
            assertTrue(run.err().startsWith("bin/checker: --svg " + c[0] + ": " + c[1] + "\n"), run.err());
            assertFalse(run.err().contains("Exception"), run.err());
        }
        Path fresh = dir.resolve("new/deeper");
        assertEquals(1, run(args(KNOSSOS, "--svg", fresh.toString(), history)).status());
        assertEquals(List.of(fresh.resolve("linear.svg")), Files.list(fresh).toList(), "no probe file is left");

        Path perFile = Files.createDirectories(dir.resolve("per-file"));
        Files.writeString(perFile.resolve("cas-failure"), "in the way of the file's own directory");
        Run blocked = run(args(KNOSSOS, "--svg", perFile.toString(), history, CORPUS + "/good/memstress3-0.edn"));
        assertEquals(1, blocked.status(), "the invalid verdict beats the diagram that could not be written");
        assertEquals(1, blocked.out().lines().filter(line -> line.contains("cas-failure.edn")).count(), blocked.out());
        assertTrue(blocked.err().matches("bin/checker: --svg: cannot write \\S+/cas-failure/linear.svg: .*\n"), blocked.err());
    }

    @Test
    void anInvalidFileBeatsOneThatCannotBeCheckedWhichBeatsUnknown(@TempDir Path dir) throws Exception {
        String invalid = CORPUS + "/bad/cas-failure.edn";
        String valid = CORPUS + "/good/memstress3-0.edn";
        String unreadable = dir.toString();   // a directory: "Is a directory"
        String missing = dir.resolve("missing.edn").toString();
        Run both = run(args(KNOSSOS, invalid, unreadable));
        assertEquals(1, both.status(), both.out());
        assertTrue(both.out().contains("cas-failure.edn\tinvalid\t"), both.out());
        assertTrue(both.out().contains(unreadable + "\terror\t"), "the bad file's line names its error: " + both.out());
        assertEquals(1, run(args(KNOSSOS, missing, invalid)).status(), "in either order");
        assertEquals(254, run(args(KNOSSOS, valid, missing)).status());
        Path unknown = dir.resolve("unknown.edn");
        Files.writeString(unknown, hardHistory());
        assertEquals(254, run("--time-limit", "0.3", unknown.toString(), missing).status(), "bad input beats unknown");
        Run all = run("--time-limit", "0.3", unknown.toString(), invalid, missing);
        assertEquals(1, all.status(), all.out());
        assertTrue(all.out().contains("unknown.edn\tunknown\t"), all.out());
    }

    @Test
    void aBadInitialValueNamesTheOptionAndTheValue() {
        String file = CORPUS + "/good/memstress3-0.edn";
        String[][] cases = {
            {"{", "cas-register", "bin/checker: --initial '{' is not one EDN value: line 1, column 2: end of input"},
            {"1 2", "cas-register", "bin/checker: --initial '1 2' is not one EDN value: line 1, column 4: expected one EDN value"},
            {"", "cas-register", "bin/checker: --initial '' is not one EDN value: line 1, column 1: expected an EDN value"},
            {"5", "mutex", "bin/checker: --initial '5' does not suit the mutex model: a mutex starts :free or :held, not 5"},
            {"5", "set", "bin/checker: --initial '5' does not suit the set model: the set model starts from a collection"},
        };
        for (String[] c : cases) {
            Run run = run("--model", c[1], "--initial", c[0], file);
            assertEquals(254, run.status());
            assertTrue(run.err().startsWith(c[2]), run.err());
            assertEquals(2, run.err().lines().count(), "the error and where to find the usage: " + run.err());
        }
        Run model = run("--model", "btree", file);
        assertTrue(model.err().startsWith("bin/checker: --model cannot be 'btree'; models: register, cas-register"), model.err());
        assertEquals(0, run("--model", ":cas-register", "--initial", "0", "--nil-reads", "anything", file).status());
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
