package leasekv.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The command line of the benchmark tools. Every option is checked before anything is installed,
 * built or started; a bad one gets one line and a pointer to {@code --help} (not the whole option
 * table, which would scroll the error away), exit status 2.
 */
public final class BenchCommandLine {
  /** Exit status of a usage error (picocli's, and the store's for a bad configuration). */
  public static final int USAGE_ERROR = 2;

  private BenchCommandLine() {
  }

  /** Parses {@code args} into {@code command}, runs it and returns the exit status. */
  public static int execute(Object command, String[] args) {
    CommandLine cli = new CommandLine(command);
    cli.setParameterExceptionHandler((ParameterException e, String[] ignored) -> {
      PrintWriter err = e.getCommandLine().getErr();
      String name = e.getCommandLine().getCommandName();
      err.println(name + ": " + e.getMessage());
      err.println("Run 'bin/" + name + " --help' for the options.");
      err.flush();
      return USAGE_ERROR;
    });
    return cli.execute(args);
  }

  /** Throws the usage error {@code message} unless {@code ok}. */
  public static void require(CommandSpec spec, boolean ok, String message) {
    if (!ok) throw new ParameterException(spec.commandLine(), message);
  }

  /** Every value is at least {@code min}. */
  public static void requireAtLeast(CommandSpec spec, String option, Collection<Integer> values, int min) {
    for (int v : values) require(spec, v >= min, option + " must be at least " + min + ", got " + v);
  }

  /** Every value is one of {@code known}. */
  public static void requireKnown(CommandSpec spec, String option, Collection<String> values, List<String> known) {
    for (String v : values) {
      require(spec, known.contains(v), option + ": unknown '" + v + "'; known: " + String.join(", ", known));
    }
  }

  /** The store jar the nodes run from: given, and a file. */
  public static Path requireStoreJar(CommandSpec spec, Path storeJar) {
    require(spec, storeJar != null, "--store-jar (or LEASEKV_STORE_JAR) must name the store jar");
    require(spec, Files.isRegularFile(storeJar), "--store-jar " + storeJar
        + " is not a file (make build, or mvn -B -q -pl store/node -am install -DskipTests, builds it)");
    return storeJar;
  }
}
