package leasekv.checker.edn;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes the same data as {@link EdnWriter} as JSON: keywords become strings without the colon, map keys
 * become strings, sets become arrays, nil becomes null.
 */
public final class JsonWriter {
    private JsonWriter() {
    }

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    public static void write(Object value, StringBuilder out) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof EdnData) {
            write(((EdnData) value).toEdnData(), out);
        } else if (value instanceof Keyword) {
            EdnWriter.writeString(((Keyword) value).name(), out);
        } else if (value instanceof Boolean || value instanceof Long || value instanceof Integer
                || value instanceof Short || value instanceof Byte || value instanceof java.math.BigInteger) {
            out.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (Double.isFinite(d)) {
                out.append(d);
            } else {
                out.append("null");
            }
        } else if (value instanceof java.math.BigDecimal) {
            out.append(((java.math.BigDecimal) value).toPlainString());
        } else if (value instanceof Map) {
            writeObject((Map<?, ?>) value, out);
        } else if (value instanceof Collection) {
            writeArray((Collection<?>) value, out);
        } else if (value instanceof Tagged) {
            EdnWriter.writeString(value.toString(), out);
        } else {
            EdnWriter.writeString(value.toString(), out);
        }
    }

    private static void writeObject(Map<?, ?> map, StringBuilder out) {
        out.append('{');
        Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<?, ?> entry = entries.next();
            Object key = entry.getKey();
            String name = key instanceof Keyword ? ((Keyword) key).name()
                    : key instanceof String ? (String) key : EdnWriter.write(key);
            EdnWriter.writeString(name, out);
            out.append(':');
            write(entry.getValue(), out);
            if (entries.hasNext()) {
                out.append(',');
            }
        }
        out.append('}');
    }

    private static void writeArray(Collection<?> items, StringBuilder out) {
        out.append('[');
        boolean first = true;
        for (Object item : items) {
            if (!first) {
                out.append(',');
            }
            write(item, out);
            first = false;
        }
        out.append(']');
    }
}
