package leasekv.client;

/** An error reply ({@code -WORD detail}) as read off the wire. */
final class ErrorReply {
    final String word;
    final String detail;
    final String text;

    ErrorReply(String text) {
        this.text = text;
        int space = text.indexOf(' ');
        this.word = space < 0 ? text : text.substring(0, space);
        this.detail = space < 0 ? "" : text.substring(space + 1);
    }

    /** Only TIMEOUT and UNCERTAIN leave open whether the command was applied (docs/contracts.md). */
    boolean mayHaveApplied() {
        return word.equals("TIMEOUT") || word.equals("UNCERTAIN");
    }

    @Override
    public String toString() {
        return "-" + text;
    }
}
