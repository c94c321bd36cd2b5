package leasekv.server;

/**
 * The first word of every error reply (docs/contracts.md). It tells a client whether the command may
 * have been applied: only {@link #TIMEOUT} and {@link #UNCERTAIN} leave that open.
 */
public enum ErrorWord {
    /** Malformed or unknown command, wrong arity, bad argument. */
    ERR(false),
    /** Key or value over the limit. */
    TOOLARGE(false),
    /** A string command on a list key or the reverse. */
    WRONGTYPE(false),
    /** Not the leader; followed by {@code <leader-id> <host:clientPort>} or {@code unknown}. Not applied. */
    NOTLEADER(false),
    /** Replaying the log or starting. */
    NOTREADY(false),
    /** The proposal queue is full; not proposed. */
    BUSY(false),
    /** A test hook was used without {@code --test-hooks}. */
    DISABLED(false),
    /** Proposed but not known to be committed in time. */
    TIMEOUT(true),
    /** Proposed, then leadership was lost; may or may not be applied. */
    UNCERTAIN(true);

    private final boolean mayHaveApplied;

    ErrorWord(boolean mayHaveApplied) {
        this.mayHaveApplied = mayHaveApplied;
    }

    /** True when a write that failed with this word may still have been (or later be) applied. */
    public boolean mayHaveApplied() {
        return mayHaveApplied;
    }
}
