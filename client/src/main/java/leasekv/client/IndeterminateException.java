package leasekv.client;

/**
 * The operation may or may not have taken effect, now or later (Jepsen {@code :info}): a write timed
 * out, its connection broke after it was sent, or the server answered TIMEOUT or UNCERTAIN, and
 * retries with the same REQ sequence number did not settle it before the operation deadline.
 */
public final class IndeterminateException extends LeaseKvException {
    private static final long serialVersionUID = 1L;

    public IndeterminateException(String message, String errorWord, Throwable cause) {
        super(message, errorWord, cause);
    }

    @Override
    public boolean isDefinite() {
        return false;
    }
}
