package leasekv.checker.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import leasekv.checker.CheckResult;
import leasekv.checker.Checker;
import leasekv.checker.HistoryException;
import leasekv.checker.Printable;
import leasekv.checker.Validity;
import leasekv.checker.edn.EdnException;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.JsonWriter;
import leasekv.checker.model.Models;

/**
 * {@code bin/checker}: checks one or more history files in one JVM and prints one line per file
 * (file, verdict, ops, milliseconds). Exit status: 0 all valid, 1 any invalid, 2 any unknown, 254 bad input
 * or usage, 255 an internal error; across files, the first of 1, 255, 254, 2, 0 that applies
 * ({@link ExitStatus#worse}).
 */
public final class Main {
    private static final String USAGE = String.join("\n",
            "Usage: bin/checker [options] FILE...   (FILE - reads standard input)",
            "Checks Jepsen histories (history.edn) for linearizability; prints one line per file:",
            "file, verdict, ops, milliseconds.",
            "",
            "  --model NAME          " + String.join(", ", Models.names()) + " (default cas-register)",
            "  --initial EDN         initial value, e.g. 0, nil, '{:x 0 :y 0}', :free, '#{}' (default: the",
            "                        model's empty value; nil = absent register)",
            "  --time-limit S        seconds per file before the unfinished keys are :unknown (default 120)",
            "  --memory-limit MB     memory the search may hold (default: half the heap)",
            "  --parallelism N       keys checked at once (default: one per core)",
            "  --nil-reads RULE      absent (default): an :ok read of nil means the key was absent;",
            "                        anything: Knossos's reading, a nil read matches any value",
            "  --independent MODE    auto (default), yes or no: are values [key value] tuples?",
            "  --fail-fast           stop at the first invalid key",
            "  --allow-empty         a history without client ops is valid (default: bad input, 254)",
            "  --explain             print the plain-words explanation under each invalid file (and a hint",
            "                        when its nil reads look like Knossos-era \"unknown\" values)",
            "  --edn | --json        print the full results (a map from file to result) on stdout;",
            "                        the summary lines then go to stderr",
            "  --svg DIR             write failure diagrams into DIR (created; checked before any search)",
            "",
            "Exit status: 0 all valid, 1 any invalid, 2 any unknown, 254 bad input or usage, 255 internal error.",
            "With several files, the first that applies of 1, 255, 254, 2, 0: an invalid file is never hidden by",
            "one that could not be checked (each file's line names its error).");

    /** After a usage error only this, so the error stays on screen; --help prints the whole usage. */
    private static final String USAGE_HINT = "Usage: bin/checker [options] FILE...  (bin/checker --help lists the options)";

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.in, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /** Runs the CLI; returns the exit status instead of exiting. The file {@code -} is read from {@code in}. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        Arguments arguments;
        SvgOutput svg;
        try {
            arguments = Arguments.parse(args);
            svg = arguments.svgDirectory == null || arguments.help ? null
                    : SvgOutput.prepare(arguments.svgDirectory, arguments.files.size());
        } catch (IllegalArgumentException | EdnException e) {
            err.println("bin/checker: " + Printable.escape(e.getMessage()));
            err.println(USAGE_HINT);
            return ExitStatus.BAD_INPUT;
        }
        if (arguments.help) {
            out.println(USAGE);
            return ExitStatus.VALID;
        }
        return checkAll(arguments, svg, in, out, err);
    }

    private static int checkAll(Arguments arguments, SvgOutput svg, InputStream in, PrintStream out, PrintStream err) {
        Checker checker = new Checker(arguments.options);
        PrintStream summary = arguments.format == null ? out : err;
        Map<String, Object> documents = new LinkedHashMap<>();
        int status = ExitStatus.VALID;
        for (String file : arguments.files) {
            long start = System.nanoTime();
            try {
                CheckResult result = file.equals(Arguments.STDIN) ? checker.check(in, file) : checker.checkFile(file);
                if (result.results().isEmpty() && !arguments.allowEmpty) {
                    throw new HistoryException(file, -1, nothingToCheck(result));
                }
                summary.println(file + "\t" + result.validity().word() + "\t" + result.opCount() + " ops\t"
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
                if (arguments.explain && result.validity() != Validity.VALID) {
                    result.explanation().lines().forEach(line -> summary.println("  " + line));
                    result.hints().lines().forEach(line -> summary.println("  " + line));
                }
                documents.put(file, result);
                status = ExitStatus.worse(status, ExitStatus.of(result.validity()));
                status = ExitStatus.worse(status, writeSvgs(svg, result, file, err));
            } catch (HistoryException e) {
                summary.println(file + "\terror\t" + e.getMessage());
                documents.put(file, Map.of(leasekv.checker.edn.Keyword.of("error"), e.getMessage()));
                status = ExitStatus.worse(status, ExitStatus.BAD_INPUT);
            } catch (RuntimeException e) {
                err.println(file + "\tinternal error\t" + e);
                e.printStackTrace(err);
                status = ExitStatus.worse(status, ExitStatus.INTERNAL_ERROR);
            }
        }
        if ("edn".equals(arguments.format)) {
            out.println(EdnWriter.write(documents));
        } else if ("json".equals(arguments.format)) {
            out.println(JsonWriter.write(documents));
        }
        return status;
    }

    /** Why a history without client ops is refused: a run that crashed may have left it empty. */
    private static String nothingToCheck(CheckResult result) {
        String what = result.opCount() == 0 ? "no ops" : "no client ops, only " + result.opCount() + " nemesis ops";
        return what + " (--allow-empty accepts such a history as valid)";
    }

    private static int writeSvgs(SvgOutput svg, CheckResult result, String file, PrintStream err) {
        if (svg == null) {
            return ExitStatus.VALID;
        }
        try {
            svg.write(result, file);
            return ExitStatus.VALID;
        } catch (UncheckedIOException e) {
            err.println("bin/checker: --svg: " + Printable.escape(e.getMessage()));
            return ExitStatus.BAD_INPUT;
        }
    }
}
