package leasekv.node;

import java.io.PrintStream;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The node's log format: one line per event, {@code <ISO time> <LEVEL> <component> <message>}, on
 * stdout, so that the harness keeps a node's whole log by redirecting it. Every module logs through
 * the JDK's {@link System.Logger} (which goes to java.util.logging), netty included; {@link
 * #install} is the one place that decides how a line looks. Timestamps are wall-clock time for
 * people; nothing in the node decides anything from them.
 */
public final class LogFormat {
  private static volatile PrintStream out = System.out;

  private LogFormat() {}

  /** Sends every log record of this JVM to stdout in this format. Idempotent. */
  public static void install() {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) root.removeHandler(h);
    root.setLevel(Level.INFO);
    root.addHandler(
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (isLoggable(r)) write(r);
          }

          @Override
          public void flush() {
            out.flush();
          }

          @Override
          public void close() {}
        });
  }

  /** Redirects every log line (tests that run several nodes in one JVM prefix or silence them). */
  public static void setOutput(PrintStream stream) {
    out = stream;
  }

  private static void write(LogRecord r) {
    String name = r.getLoggerName() == null ? "jul" : r.getLoggerName();
    String component = name.substring(name.lastIndexOf('.') + 1);
    String level =
        r.getLevel().intValue() >= Level.SEVERE.intValue()
            ? "ERROR"
            : r.getLevel().intValue() >= Level.WARNING.intValue() ? "WARN" : "INFO";
    String message = String.valueOf(message(r));
    Throwable cause = r.getThrown();
    StringBuilder line =
        new StringBuilder(96 + message.length())
            .append(Instant.now())
            .append(' ')
            .append(level)
            .append(' ')
            .append(component)
            .append(' ')
            .append(message);
    if (cause != null) line.append(": ").append(cause);
    PrintStream stream = out;
    synchronized (stream) {
      stream.println(line);
      if (cause != null && !(cause instanceof java.io.IOException)) cause.printStackTrace(stream);
    }
  }

  private static String message(LogRecord r) {
    String message = r.getMessage();
    if (r.getParameters() == null || message == null || !message.contains("{")) return message;
    try {
      return MessageFormat.format(message, r.getParameters());
    } catch (IllegalArgumentException e) {
      return message; // keep the raw pattern
    }
  }
}
