package leasekv.checker.search;

/** Thrown inside a search when it must stop without a verdict; becomes {@code :unknown} with the cause. */
final class SearchAborted extends RuntimeException {
    private final String cause;

    SearchAborted(String cause, String reason) {
        super(reason, null, false, false);
        this.cause = cause;
    }

    /** A keyword name such as {@code time-limit}, {@code memory-limit} or {@code cancelled}. */
    String causeName() {
        return cause;
    }
}
