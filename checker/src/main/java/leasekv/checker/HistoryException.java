package leasekv.checker;

/**
 * The history cannot be checked as given: a malformed file, an op missing a field, a process that invokes
 * twice without completing, an op the model does not know. The message names the op index (when there is
 * one) and the problem. Unprintable characters in the message (a binary file's bytes) are escaped, see
 * {@link Printable}.
 */
public final class HistoryException extends RuntimeException {
    private final long opIndex;
    private final String problem;

    public HistoryException(long opIndex, String problem) {
        this(null, opIndex, problem);
    }

    /** @param source the file (or other input) the history came from, or null */
    public HistoryException(String source, long opIndex, String problem) {
        super(Printable.escape((source != null ? source + ": " : "") + (opIndex >= 0 ? "op index " + opIndex + ": " : "")
                + problem));
        this.opIndex = opIndex;
        this.problem = problem;
    }

    public HistoryException(String problem, Throwable cause) {
        super(Printable.escape(problem), cause);
        this.opIndex = -1;
        this.problem = problem;
    }

    /** The same problem, named as coming from {@code source}. */
    public HistoryException from(String source) {
        return new HistoryException(source, opIndex, problem);
    }

    /** The index of the offending op, or -1 when the problem is not about one op. */
    public long opIndex() {
        return opIndex;
    }
}
