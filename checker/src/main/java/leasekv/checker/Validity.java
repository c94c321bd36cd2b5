package leasekv.checker;

import leasekv.checker.edn.Keyword;

/** A verdict: Jepsen's {@code :valid?} of true, false or {@code :unknown}. */
public enum Validity {
    VALID, INVALID, UNKNOWN;

    private static final Keyword UNKNOWN_KEYWORD = Keyword.of("unknown");

    /** {@code true}, {@code false} or {@code :unknown}, as Jepsen writes {@code :valid?}. */
    public Object toEdnValue() {
        switch (this) {
            case VALID: return Boolean.TRUE;
            case INVALID: return Boolean.FALSE;
            default: return UNKNOWN_KEYWORD;
        }
    }

    /** Jepsen's merge: false beats unknown, unknown beats true. */
    public Validity merge(Validity other) {
        if (this == INVALID || other == INVALID) {
            return INVALID;
        }
        return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : VALID;
    }

    /** "valid", "invalid" or "unknown". */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
