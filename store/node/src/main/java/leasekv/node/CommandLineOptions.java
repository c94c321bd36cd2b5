package leasekv.node;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The store's command line: {@code --name value} or {@code --name=value} options, flags, {@code
 * -h/--help} and {@code -V/--version}. A small table of options rather than picocli because every
 * node start pays for its parser: picocli's classes are Java 5 bytecode, which CDS cannot archive
 * and the old verifier checks at every start, and its annotations are read reflectively (about 0.25
 * s of CPU per start, times five JVMs sharing two cores when a local cluster starts:
 * docs/performance.md).
 *
 * <p>Defaults go through the same conversion as given values, before them. A bad value, an unknown
 * or repeated option, or a missing required one is a {@link UsageException} naming the option.
 */
final class CommandLineOptions {
  /** A command line that cannot be parsed; the message names the option. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  private record Spec(
      String name,
      String paramLabel,
      String defaultValue,
      boolean required,
      String description,
      Consumer<String> set) {
    boolean isFlag() {
      return paramLabel == null;
    }
  }

  private final Map<String, Spec> specs = new LinkedHashMap<>();

  /** An option taking a string. A null default means none (the field keeps its initial value). */
  CommandLineOptions string(
      String name,
      String paramLabel,
      String defaultValue,
      String description,
      Consumer<String> set) {
    return add(new Spec(name, paramLabel, defaultValue, false, description, set));
  }

  /** A string option that must be given. */
  CommandLineOptions required(
      String name, String paramLabel, String description, Consumer<String> set) {
    return add(new Spec(name, paramLabel, null, true, description, set));
  }

  CommandLineOptions path(
      String name, String defaultValue, String description, Consumer<Path> set) {
    return add(
        new Spec(name, "DIR", defaultValue, false, description, v -> set.accept(Path.of(v))));
  }

  CommandLineOptions longValue(
      String name, String paramLabel, String defaultValue, String description, Consumer<Long> set) {
    return add(
        new Spec(
            name,
            paramLabel,
            defaultValue,
            false,
            description,
            v -> set.accept(parseLong(name, v))));
  }

  CommandLineOptions intValue(
      String name,
      String paramLabel,
      String defaultValue,
      String description,
      Consumer<Integer> set) {
    return longValue(
        name,
        paramLabel,
        defaultValue,
        description,
        v -> {
          if (v != v.intValue())
            throw new UsageException(
                invalid(name, String.valueOf(v), "is out of range for an int"));
          set.accept(v.intValue());
        });
  }

  CommandLineOptions doubleValue(
      String name,
      String paramLabel,
      String defaultValue,
      String description,
      Consumer<Double> set) {
    return add(
        new Spec(
            name,
            paramLabel,
            defaultValue,
            false,
            description,
            v -> {
              try {
                set.accept(Double.parseDouble(v));
              } catch (NumberFormatException e) {
                throw new UsageException(invalid(name, v, "is not a number"));
              }
            }));
  }

  /** An option without a value: present or not. */
  CommandLineOptions flag(String name, String description, Runnable set) {
    return add(new Spec(name, null, null, false, description, v -> set.run()));
  }

  private CommandLineOptions add(Spec spec) {
    if (specs.putIfAbsent(spec.name(), spec) != null)
      throw new IllegalArgumentException("option " + spec.name() + " twice");
    return this;
  }

  /** What the command line asks for. */
  enum Request {
    RUN,
    HELP,
    VERSION
  }

  /**
   * Applies the defaults, then args. Returns HELP or VERSION, having printed nothing, when one of
   * those was asked for (the caller prints {@link #usage} or its version); RUN when the options are
   * set.
   */
  Request parse(String[] args) {
    for (String a : args) if (a.equals("-h") || a.equals("--help")) return Request.HELP;
    for (String a : args) if (a.equals("-V") || a.equals("--version")) return Request.VERSION;
    for (Spec s : specs.values()) if (s.defaultValue() != null) s.set().accept(s.defaultValue());
    Set<String> given = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      int eq = arg.indexOf('=');
      String name = optionName(arg);
      Spec spec = specs.get(name);
      if (spec == null) {
        throw new UsageException(
            arg.startsWith("-")
                ? "Unknown option: '" + name + "'"
                : "Unexpected argument: '" + arg + "'");
      }
      if (!given.add(name))
        throw new UsageException("option '" + name + "' is given more than once");
      if (spec.isFlag()) {
        if (eq > 0 && arg.startsWith("--"))
          throw new UsageException("option '" + name + "' takes no value");
        spec.set().accept(null);
      } else if (eq > 0 && arg.startsWith("--")) {
        spec.set().accept(arg.substring(eq + 1));
      } else if (i + 1 < args.length && !specs.containsKey(optionName(args[i + 1]))) {
        spec.set().accept(args[++i]);
      } else {
        throw new UsageException("option '" + name + "' needs a value: " + spec.paramLabel());
      }
    }
    List<String> missing = new ArrayList<>();
    for (Spec s : specs.values())
      if (s.required() && !given.contains(s.name()))
        missing.add("'" + s.name() + "=" + s.paramLabel() + "'");
    if (!missing.isEmpty())
      throw new UsageException(
          "Missing required option"
              + (missing.size() > 1 ? "s: " : ": ")
              + String.join(", ", missing));
    return Request.RUN;
  }

  /** Prints the help: usage line, description lines, one entry per option, footer. */
  void usage(PrintStream out, String command, List<String> description, String footer) {
    out.println("Usage: " + command + " [OPTIONS]");
    description.forEach(out::println);
    out.println();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"-h, --help", "Show this help and exit."});
    rows.add(new String[] {"-V, --version", "Print the version and exit."});
    for (Spec s : specs.values()) {
      String left = s.isFlag() ? s.name() : s.name() + "=" + s.paramLabel();
      String text =
          s.description().replace("${DEFAULT}", s.defaultValue() == null ? "" : s.defaultValue());
      rows.add(new String[] {left, (s.required() ? "Required. " : "") + text});
    }
    // Options whose name and label are longer than the column get a line of their own.
    int width = Math.min(34, 2 + rows.stream().mapToInt(r -> r[0].length()).max().orElse(0) + 2);
    for (String[] r : rows) printWrapped(out, "  " + r[0], r[1], width, 110);
    out.println();
    out.print(footer);
  }

  private static void printWrapped(
      PrintStream out, String left, String text, int indent, int lineWidth) {
    StringBuilder line = new StringBuilder(left);
    while (line.length() < indent) line.append(' ');
    if (line.length() > indent) {
      out.println(line);
      line.setLength(0);
      line.append(" ".repeat(indent));
    }
    int lineStart = line.length();
    for (String word : text.split(" ")) {
      if (line.length() > lineStart && line.length() + 1 + word.length() > lineWidth) {
        out.println(line);
        line.setLength(0);
        line.append(" ".repeat(indent));
        lineStart = indent;
      }
      if (line.length() > lineStart) line.append(' ');
      line.append(word);
    }
    out.println(line);
  }

  /** "--name" of "--name=value"; any other argument as it is. */
  private static String optionName(String arg) {
    int eq = arg.indexOf('=');
    return arg.startsWith("--") && eq > 0 ? arg.substring(0, eq) : arg;
  }

  private static long parseLong(String name, String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(invalid(name, text, "is not a whole number"));
    }
  }

  private static String invalid(String name, String text, String why) {
    return "Invalid value for option '" + name + "': '" + text + "' " + why;
  }
}
