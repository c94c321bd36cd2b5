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

  /**
   * Routes java.util.logging (netty, the transport, the server) into this format, so a node's log is
   * one stream of one-line records. Idempotent.
   */
  public static void installJulBridge() {
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    for (java.util.logging.Handler h : root.getHandlers()) root.removeHandler(h);
    root.setLevel(java.util.logging.Level.INFO);
    root.addHandler(new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        if (!isLoggable(r)) return;
        String name = r.getLoggerName() == null ? "jul" : r.getLoggerName();
        String component = name.substring(name.lastIndexOf('.') + 1);
        String message = r.getMessage();
        if (r.getParameters() != null && message != null && message.contains("{")) {
          try {
            message = java.text.MessageFormat.format(message, r.getParameters());
          } catch (IllegalArgumentException e) {
            // keep the raw pattern
          }
        }
        String level = r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue() ? "ERROR"
            : r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue() ? "WARN" : "INFO";
        of(component).write(level, String.valueOf(message), r.getThrown());
      }

      @Override
      public void flush() {
        out.flush();
      }

      @Override
      public void close() {}
    });
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
