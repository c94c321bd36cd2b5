package leasekv.checker;

/** Whether op values are Jepsen independent-key tuples {@code [key value]}, each key checked on its own. */
public enum IndependentKeys {
    /**
     * Tuples if every client invocation's value is a two-element vector (and, for {@code :cas}, the second
     * element is itself a vector); never for multi-register transactions.
     */
    AUTO,
    /** Every value is a {@code [key value]} tuple; anything else is bad input. */
    YES,
    /** Values are taken as they are: one history, one key. */
    NO
}
