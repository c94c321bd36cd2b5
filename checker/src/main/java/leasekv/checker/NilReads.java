package leasekv.checker;

/** What an {@code :ok} read of nil means. */
public enum NilReads {
    /**
     * The key was absent. A real observation, checked like any other value: it catches a node that serves
     * reads before it has replayed its log. The default.
     */
    ABSENT,
    /**
     * Knossos's reading: the client did not know the value, so the read matches any state. Only for old
     * histories (such as the Knossos corpus) whose clients wrote nil for "unknown".
     */
    ANYTHING
}
