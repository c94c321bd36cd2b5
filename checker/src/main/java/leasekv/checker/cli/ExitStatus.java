package leasekv.checker.cli;

import leasekv.checker.Validity;

/**
 * {@code bin/checker}'s exit statuses, and which one wins when the files checked in one run end
 * differently.
 */
final class ExitStatus {
    static final int VALID = 0;
    static final int INVALID = 1;
    static final int UNKNOWN = 2;
    static final int BAD_INPUT = 254;
    static final int INTERNAL_ERROR = 255;

    private ExitStatus() {
    }

    static int of(Validity validity) {
        switch (validity) {
            case VALID: return VALID;
            case INVALID: return INVALID;
            default: return UNKNOWN;
        }
    }

    /**
     * The status of a run whose files ended as a and b. A proven violation is never hidden: invalid (1)
     * beats an internal error (255), which beats bad input (254), which beats unknown (2), which beats
     * valid (0). A file that could not be checked is, like Jepsen's :unknown, no evidence either way,
     * and Jepsen's merge lets false beat unknown; every file's own line still names its error.
     */
    static int worse(int a, int b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(int status) {
        switch (status) {
            case INVALID: return 4;
            case INTERNAL_ERROR: return 3;
            case BAD_INPUT: return 2;
            case UNKNOWN: return 1;
            default: return 0;
        }
    }
}
