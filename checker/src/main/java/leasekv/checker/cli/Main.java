package leasekv.checker.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import leasekv.checker.CheckOptions;
import leasekv.checker.CheckResult;
import leasekv.checker.Checker;
import leasekv.checker.HistoryException;
import leasekv.checker.IndependentKeys;
import leasekv.checker.NilReads;
import leasekv.checker.Validity;
import leasekv.checker.edn.EdnException;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.JsonWriter;
import leasekv.checker.model.Models;

/**
 * {@code bin/checker}: checks one or more history files in one JVM and prints one line per file
 * (file, verdict, ops, milliseconds). Exit status: 0 all valid, 1 any invalid, 2 any unknown (and none
 * invalid), 254 bad input or usage, 255 an internal error.
 */
public final class Main {
    static final int EXIT_VALID = 0;
    static final int EXIT_INVALID = 1;
    static final int EXIT_UNKNOWN = 2;
    static final int EXIT_BAD_INPUT = 254;
    static final int EXIT_INTERNAL_ERROR = 255;

    private static final String USAGE = String.join("\n",
            "Usage: bin/checker [options] FILE...",
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
            "  --explain             print the plain-words explanation under each invalid file",
            "  --edn | --json        print the full results (a map from file to result) on stdout;",
            "                        the summary lines then go to stderr",
            "  --svg DIR             write failure diagrams into DIR",
            "",
            "Exit status: 0 all valid, 1 any invalid, 2 any unknown, 254 bad input or usage.");

    private Main() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    /** Runs the CLI; returns the exit status instead of exiting. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException | EdnException e) {
            err.println("bin/checker: " + e.getMessage());
            err.println(USAGE);
            return EXIT_BAD_INPUT;
        }
        if (arguments.help) {
            out.println(USAGE);
            return EXIT_VALID;
        }
        return checkAll(arguments, out, err);
    }

    private static int checkAll(Arguments arguments, PrintStream out, PrintStream err) {
        Checker checker = new Checker(arguments.options);
        PrintStream summary = arguments.format == null ? out : err;
        Map<String, Object> documents = new LinkedHashMap<>();
        int status = EXIT_VALID;
        for (String file : arguments.files) {
            long start = System.nanoTime();
            try {
                CheckResult result = checker.checkFile(file);
                summary.println(file + "\t" + result.validity().word() + "\t" + result.opCount() + " ops\t"
                        + (System.nanoTime() - start) / 1_000_000 + " ms");
                if (arguments.explain && result.validity() != Validity.VALID) {
                    result.explanation().lines().forEach(line -> summary.println("  " + line));
                }
                writeSvgs(result, file, arguments);
                documents.put(file, result);
                status = worse(status, exitStatus(result.validity()));
            } catch (HistoryException e) {
                summary.println(file + "\terror\t" + e.getMessage());
                documents.put(file, Map.of(leasekv.checker.edn.Keyword.of("error"), e.getMessage()));
                status = worse(status, EXIT_BAD_INPUT);
            } catch (RuntimeException e) {
                err.println(file + "\tinternal error\t" + e);
                e.printStackTrace(err);
                status = worse(status, EXIT_INTERNAL_ERROR);
            }
        }
        if ("edn".equals(arguments.format)) {
            out.println(EdnWriter.write(documents));
        } else if ("json".equals(arguments.format)) {
            out.println(JsonWriter.write(documents));
        }
        return status;
    }

    private static void writeSvgs(CheckResult result, String file, Arguments arguments) {
        if (arguments.svgDirectory == null || result.validity() != Validity.INVALID) {
            return;
        }
        Path directory = Path.of(arguments.svgDirectory);
        if (arguments.files.size() > 1) {
            String base = Path.of(file).getFileName().toString().replaceFirst("\\.edn$", "");
            directory = directory.resolve(base.replaceAll("[^A-Za-z0-9_.-]", "_"));
        }
        result.writeSvgs(directory);
    }

    static int exitStatus(Validity validity) {
        switch (validity) {
            case VALID: return EXIT_VALID;
            case INVALID: return EXIT_INVALID;
            default: return EXIT_UNKNOWN;
        }
    }

    /** Internal error beats bad input beats invalid beats unknown beats valid. */
    static int worse(int a, int b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(int status) {
        switch (status) {
            case EXIT_INTERNAL_ERROR: return 4;
            case EXIT_BAD_INPUT: return 3;
            case EXIT_INVALID: return 2;
            case EXIT_UNKNOWN: return 1;
            default: return 0;
        }
    }

    /** The parsed command line. */
    private static final class Arguments {
        final CheckOptions.Builder builder = CheckOptions.builder();
        CheckOptions options;
        final List<String> files = new ArrayList<>();
        String format;
        String svgDirectory;
        boolean explain;
        boolean help;

        static Arguments parse(String[] args) {
            Arguments a = new Arguments();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--") || arg.equals("--")) {
                    if (!arg.equals("--")) {
                        a.files.add(arg);
                    }
                    continue;
                }
                i = a.option(arg, args, i);
            }
            if (a.help) {
                return a;
            }
            if (a.files.isEmpty()) {
                throw new IllegalArgumentException("no history files given");
            }
            a.options = a.builder.build();
            return a;
        }

        /** Applies one option; returns the index of the last argument it used. */
        private int option(String arg, String[] args, int i) {
            switch (arg) {
                case "--help": case "-h": help = true; return i;
                case "--fail-fast": builder.failFast(true); return i;
                case "--explain": explain = true; return i;
                case "--edn": format = "edn"; return i;
                case "--json": format = "json"; return i;
                default: break;
            }
            String value = valueOf(arg, args, i);
            switch (arg) {
                case "--model": builder.model(value); break;
                case "--initial": builder.initialEdn(value); break;
                case "--time-limit": builder.timeLimitSeconds(positiveNumber(arg, value)); break;
                case "--memory-limit": builder.memoryLimitMegabytes((long) positiveNumber(arg, value)); break;
                case "--parallelism": builder.parallelism((int) positiveNumber(arg, value)); break;
                case "--nil-reads": builder.nilReads(parseEnum(NilReads.class, arg, value)); break;
                case "--independent": builder.independentKeys(parseEnum(IndependentKeys.class, arg, value)); break;
                case "--svg": svgDirectory = value; break;
                default: throw new IllegalArgumentException("unknown option " + arg);
            }
            return i + 1;
        }

        private static String valueOf(String option, String[] args, int i) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i + 1];
        }

        private static double positiveNumber(String option, String value) {
            try {
                double number = Double.parseDouble(value);
                if (number > 0) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new IllegalArgumentException(option + " needs a positive number, not '" + value + "'");
        }

        private static <E extends Enum<E>> E parseEnum(Class<E> type, String option, String value) {
            try {
                return Enum.valueOf(type, value.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + " cannot be '" + value + "'");
            }
        }
    }
}
