package leasekv.checker.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import leasekv.checker.CheckOptions;
import leasekv.checker.IndependentKeys;
import leasekv.checker.NilReads;
import leasekv.checker.model.Models;

/** {@code bin/checker}'s command line, parsed; bad usage throws IllegalArgumentException with one line. */
final class Arguments {
    /** The file name that stands for standard input. */
    static final String STDIN = "-";

    private final CheckOptions.Builder builder = CheckOptions.builder();
    private String model = "cas-register";
    private String initialEdn;
    CheckOptions options;
    final List<String> files = new ArrayList<>();
    String format;
    String svgDirectory;
    boolean explain;
    boolean allowEmpty;
    boolean help;

    private Arguments() {
    }

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
        if (a.files.indexOf(STDIN) != a.files.lastIndexOf(STDIN)) {
            throw new IllegalArgumentException("- (standard input) can be given only once");
        }
        a.options = a.build();
        return a;
    }

    /** The options; a model that cannot start from the --initial value names the option and the value. */
    private CheckOptions build() {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            if (initialEdn == null) {
                throw e;
            }
            throw new IllegalArgumentException("--initial '" + initialEdn + "' does not suit the " + model + " model: "
                    + e.getMessage());
        }
    }

    private void model(String name) {
        String bare = name.startsWith(":") ? name.substring(1) : name;
        if (!Models.names().contains(bare)) {
            throw new IllegalArgumentException("--model cannot be '" + name + "'; models: " + String.join(", ", Models.names()));
        }
        model = bare;
        builder.model(bare);
    }

    private void initial(String edn) {
        try {
            builder.initialEdn(edn);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--initial '" + edn + "' is not one EDN value: " + e.getMessage());
        }
        initialEdn = edn;
    }

    /** Applies one option; returns the index of the last argument it used. */
    private int option(String arg, String[] args, int i) {
        switch (arg) {
            case "--help": case "-h": help = true; return i;
            case "--fail-fast": builder.failFast(true); return i;
            case "--explain": explain = true; return i;
            case "--allow-empty": allowEmpty = true; return i;
            case "--edn": format = "edn"; return i;
            case "--json": format = "json"; return i;
            default: break;
        }
        String value = valueOf(arg, args, i);
        switch (arg) {
            case "--model": model(value); break;
            case "--initial": initial(value); break;
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
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " cannot be '" + value + "'");
        }
    }
}
