package leasekv.checker;

/**
 * Makes text safe to print on one terminal line: control characters, the replacement character that
 * stands for bytes that were not UTF-8, and other unprintable characters become escapes such as
 * {@code \x00} or {@code \ufffd}, so a binary file named in an error message cannot garble the terminal
 * or split the message over several lines.
 */
public final class Printable {
    private Printable() {
    }

    public static String escape(String text) {
        if (text == null || isPrintable(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isPrintable(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else if (c < 0x100) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean isPrintable(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!isPrintable(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Letters, digits, punctuation, symbols and spaces of any script; not controls, formats or U+FFFD. */
    private static boolean isPrintable(char c) {
        if (c == '\ufffd') {
            return false;
        }
        switch (Character.getType(c)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.UNASSIGNED:
            case Character.PRIVATE_USE:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return false;
            default:
                return true;
        }
    }
}
