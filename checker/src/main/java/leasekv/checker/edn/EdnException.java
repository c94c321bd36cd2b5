package leasekv.checker.edn;

/** Malformed EDN text; the message names the line and column. */
public final class EdnException extends RuntimeException {
    private final long line;
    private final long column;

    public EdnException(long line, long column, String problem) {
        super("line " + line + ", column " + column + ": " + problem);
        this.line = line;
        this.column = column;
    }

    public long line() {
        return line;
    }

    public long column() {
        return column;
    }
}
