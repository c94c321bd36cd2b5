package leasekv.lazyfs;

import java.time.Instant;

/** Log lines in the project's format: {@code <ISO time> <LEVEL> lazyfs <message>}, on stdout. */
final class Log {
    private Log() {
    }

    static void info(String message) {
        line("INFO", message);
    }

    static void warn(String message) {
        line("WARN", message);
    }

    static void error(String message, Throwable cause) {
        line("ERROR", message + (cause == null ? "" : ": " + cause));
        if (cause != null && !(cause instanceof ErrnoException)) {
            cause.printStackTrace(System.out);
        }
    }

    private static synchronized void line(String level, String message) {
        System.out.println(Instant.now() + " " + level + " lazyfs " + message);
        System.out.flush();
    }
}
