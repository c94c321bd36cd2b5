package leasekv.checker;

import leasekv.checker.edn.Keyword;

/** Jepsen's op types: an invocation and its three possible completions. */
public enum OpType {
    /** The client began the operation. */
    INVOKE,
    /** The operation happened, with the completion's value. */
    OK,
    /** The operation definitely did not happen. */
    FAIL,
    /** The outcome is unknown: it may take effect at any time after its invocation, or never. */
    INFO;

    private final Keyword keyword = Keyword.of(name().toLowerCase(java.util.Locale.ROOT));

    public Keyword keyword() {
        return keyword;
    }

    /** Parses {@code invoke}, {@code :ok}, a keyword, or an OpType; null when it names no type. */
    public static OpType parse(Object type) {
        if (type instanceof OpType) {
            return (OpType) type;
        }
        if (type == null) {
            return null;
        }
        String name = Values.name(type);
        switch (name) {
            case "invoke": return INVOKE;
            case "ok": return OK;
            case "fail": return FAIL;
            case "info": return INFO;
            default: return null;
        }
    }
}
