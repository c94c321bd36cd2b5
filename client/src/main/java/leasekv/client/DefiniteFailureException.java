package leasekv.client;

/** The operation certainly did not take effect (Jepsen {@code :fail}). */
public final class DefiniteFailureException extends LeaseKvException {
    private static final long serialVersionUID = 1L;

    public DefiniteFailureException(String message, String errorWord, Throwable cause) {
        super(message, errorWord, cause);
    }

    @Override
    public boolean isDefinite() {
        return true;
    }
}
