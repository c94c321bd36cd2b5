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

    /** Internal error beats bad input beats invalid beats unknown beats valid. */
    static int worse(int a, int b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(int status) {
        switch (status) {
            case INTERNAL_ERROR: return 4;
            case BAD_INPUT: return 3;
            case INVALID: return 2;
            case UNKNOWN: return 1;
            default: return 0;
        }
    }
}
