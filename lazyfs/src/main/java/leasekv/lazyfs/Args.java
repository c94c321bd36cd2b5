package leasekv.lazyfs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** "--name value" options, "--flag" switches and bare words; an unknown or incomplete option is an error. */
final class Args {
    final Map<String, String> options = new LinkedHashMap<>();
    final List<String> words = new ArrayList<>();

    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static Args parse(List<String> argv, Set<String> valued, Set<String> switches) throws UsageException {
        Args args = new Args();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (valued.contains(a)) {
                if (i + 1 >= argv.size()) {
                    throw new UsageException(a + " needs a value");
                }
                args.options.put(a, argv.get(++i));
            } else if (switches.contains(a)) {
                args.options.put(a, "true");
            } else if (a.startsWith("--")) {
                throw new UsageException("unknown option " + a);
            } else {
                args.words.add(a);
            }
        }
        return args;
    }

    String required(String name) throws UsageException {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new UsageException(name + " is required");
        }
        return value;
    }

    String optional(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    long positiveLong(String name, long fallback) throws UsageException {
        String value = options.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed <= 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a positive integer, not '" + value + "'");
        }
    }
}
