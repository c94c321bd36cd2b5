package leasekv.checker.edn;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/** Writes Java data as EDN text: the inverse of {@link EdnReader}. */
public final class EdnWriter {
    private EdnWriter() {
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    public static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("nil");
        } else if (value instanceof EdnData) {
            write(((EdnData) value).toEdnData(), out);
        } else if (value instanceof String) {
            writeString((String) value, out);
        } else if (value instanceof Keyword || value instanceof Symbol || value instanceof Boolean
                || value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte) {
            out.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            writeFloat(((Number) value).doubleValue(), out);
        } else if (value instanceof BigInteger) {
            out.append(value).append('N');
        } else if (value instanceof BigDecimal) {
            out.append(((BigDecimal) value).toPlainString()).append('M');
        } else if (value instanceof Character) {
            writeCharacter((Character) value, out);
        } else if (value instanceof Tagged) {
            Tagged tagged = (Tagged) value;
            out.append('#').append(tagged.tag()).append(' ');
            write(tagged.value(), out);
        } else if (value instanceof Map) {
            writeMap((Map<?, ?>) value, out);
        } else if (value instanceof Set) {
            writeSequence((Set<?>) value, "#{", "}", out);
        } else if (value instanceof Collection) {
            writeSequence((Collection<?>) value, "[", "]", out);
        } else if (value instanceof Object[]) {
            writeSequence(java.util.Arrays.asList((Object[]) value), "[", "]", out);
        } else {
            writeString(value.toString(), out);
        }
    }

    private static void writeMap(Map<?, ?> map, StringBuilder out) {
        out.append('{');
        Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<?, ?> entry = entries.next();
            write(entry.getKey(), out);
            out.append(' ');
            write(entry.getValue(), out);
            if (entries.hasNext()) {
                out.append(", ");
            }
        }
        out.append('}');
    }

    private static void writeSequence(Collection<?> items, String open, String close, StringBuilder out) {
        out.append(open);
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                out.append(' ');
            }
            write(item, out);
            first = false;
        }
        out.append(close);
    }

    private static void writeFloat(double d, StringBuilder out) {
        if (Double.isNaN(d)) {
            out.append("##NaN");
        } else if (Double.isInfinite(d)) {
            out.append(d > 0 ? "##Inf" : "##-Inf");
        } else {
            out.append(d);
        }
    }

    private static void writeCharacter(char c, StringBuilder out) {
        switch (c) {
            case '\n': out.append("\\newline"); break;
            case ' ': out.append("\\space"); break;
            case '\t': out.append("\\tab"); break;
            case '\r': out.append("\\return"); break;
            case '\f': out.append("\\formfeed"); break;
            case '\b': out.append("\\backspace"); break;
            default:
                if (c < 0x20 || c > 0x7e) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append('\\').append(c);
                }
        }
    }

    static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\t': out.append("\\t"); break;
                case '\r': out.append("\\r"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
