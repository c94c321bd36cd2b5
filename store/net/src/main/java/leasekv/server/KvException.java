package leasekv.server;

/**
 * A typed failure from a {@link KvService}: the server replies {@code -<WORD> <detail>}, so the first
 * word of the reply is exactly {@link #word()}. Complete futures exceptionally with this.
 * Any other exception from a backend is a bug: it is logged and answered with {@code UNCERTAIN} for
 * writes (the backend may have proposed it) and {@code ERR} otherwise.
 */
public final class KvException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorWord word;
    private final String detail;

    public KvException(ErrorWord word, String detail) {
        super(word.name() + (detail == null || detail.isEmpty() ? "" : " " + detail), null, false, false);
        this.word = word;
        this.detail = detail == null ? "" : detail;
    }

    /** {@code NOTLEADER <leader-id> <host:clientPort>}: the client should retry at that address. */
    public static KvException notLeader(String leaderId, String leaderClientAddress) {
        return new KvException(ErrorWord.NOTLEADER, leaderId + " " + leaderClientAddress);
    }

    /** {@code NOTLEADER unknown}: no leader is known right now. */
    public static KvException notLeaderUnknown() {
        return new KvException(ErrorWord.NOTLEADER, "unknown");
    }

    public ErrorWord word() {
        return word;
    }

    public String detail() {
        return detail;
    }

    /** The error reply text without the leading '-'. */
    public String replyText() {
        return getMessage();
    }
}
