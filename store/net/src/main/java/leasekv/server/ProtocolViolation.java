package leasekv.server;

/**
 * The client broke RESP framing (or a framing limit): it gets {@code -<word> <message>} after the replies
 * to its earlier commands, and then the connection is closed, because the byte stream can no longer
 * be trusted to be in step.
 */
final class ProtocolViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final ErrorWord word;

    ProtocolViolation(ErrorWord word, String message) {
        super(message, null, false, false);
        this.word = word;
    }
}
