package leasekv.node;

import java.io.PrintStream;
import java.time.Instant;

/**
 * The node's log: one line per event, {@code <ISO time> <LEVEL> <component> <message>}, on stdout, so
 * that the harness can keep a node's whole log by redirecting it. Timestamps are wall-clock time for
 * people; nothing in the node decides anything from them.
 */
public final class Log {
  private static volatile PrintStream out = System.out;
  private final String component;

  private Log(String component) {
    this.component = component;
  }

  public static Log of(String component) {
    return new Log(component);
  }

  /** Redirects every log line (tests that run several nodes in one JVM prefix or silence them). */
  public static void setOutput(PrintStream stream) {
    out = stream;
  }

  public void info(String message) {
    write("INFO", message, null);
  }

  public void warn(String message) {
    write("WARN", message, null);
  }

  public void error(String message, Throwable cause) {
    write("ERROR", message, cause);
  }

  private void write(String level, String message, Throwable cause) {
    PrintStream stream = out;
    StringBuilder line = new StringBuilder(96 + message.length())
        .append(Instant.now()).append(' ').append(level).append(' ').append(component).append(' ').append(message);
    if (cause != null) line.append(": ").append(cause);
    synchronized (stream) {
      stream.println(line);
      if (cause != null && !(cause instanceof java.io.IOException)) cause.printStackTrace(stream);
    }
  }
}
