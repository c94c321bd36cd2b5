package leasekv.client;

/**
 * A failed operation. {@link #isDefinite()} says whether it certainly did not take effect
 * ({@link DefiniteFailureException}, Jepsen {@code :fail}) or may have ({@link IndeterminateException},
 * Jepsen {@code :info}). {@link #errorWord()} is the first word of the server's last error reply
 * (ERR, TOOLARGE, NOTLEADER, TIMEOUT, ...) or null when the last failure was a network one.
 */
public abstract class LeaseKvException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String errorWord;

    LeaseKvException(String message, String errorWord, Throwable cause) {
        super(message, cause);
        this.errorWord = errorWord;
    }

    /** True when the operation certainly had no effect. */
    public abstract boolean isDefinite();

    /** The first word of the last error reply, or null if the last failure was not an error reply. */
    public String errorWord() {
        return errorWord;
    }
}
