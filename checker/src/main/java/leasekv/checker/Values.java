package leasekv.checker;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import leasekv.checker.edn.EdnVector;
import leasekv.checker.edn.Keyword;
import leasekv.checker.edn.Symbol;

/**
 * Brings values built elsewhere (Clojure data through interop, plain Java) to the forms the checker
 * compares: integers as {@link Long}, keywords as {@link Keyword}, collections as unmodifiable Java
 * collections. Two values that EDN would print the same then compare equal.
 */
public final class Values {
    private Values() {
    }

    public static Object normalize(Object value) {
        if (value == null || value instanceof Long || value instanceof String || value instanceof Keyword
                || value instanceof Boolean || value instanceof Double) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger && ((BigInteger) value).bitLength() < 64) {
            return ((BigInteger) value).longValue();
        }
        if (value instanceof Float) {
            return ((Float) value).doubleValue();
        }
        String className = value.getClass().getName();
        if (className.equals("clojure.lang.Keyword")) {
            return Keyword.of(value.toString());
        }
        if (className.equals("clojure.lang.Symbol")) {
            return new Symbol(value.toString());
        }
        if (value instanceof Map) {
            return normalizeMap((Map<?, ?>) value);
        }
        if (value instanceof Set) {
            Set<Object> set = new LinkedHashSet<>();
            for (Object item : (Set<?>) value) {
                set.add(normalize(item));
            }
            return Collections.unmodifiableSet(set);
        }
        if (value instanceof Collection) {
            return normalizeList((Collection<?>) value);
        }
        if (value instanceof Object[]) {
            return normalizeList(java.util.Arrays.asList((Object[]) value));
        }
        return value;
    }

    private static List<Object> normalizeList(Collection<?> items) {
        if (items instanceof EdnVector && allNormalized((EdnVector) items)) {
            return (EdnVector) items;
        }
        Object[] normalized = new Object[items.size()];
        int i = 0;
        for (Object item : items) {
            normalized[i++] = normalize(item);
        }
        return EdnVector.wrap(normalized);
    }

    /** Whether normalizing would return each item itself, so a list built by the EDN reader is not copied. */
    private static boolean allNormalized(EdnVector items) {
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            if (item instanceof EdnVector) {
                if (!allNormalized((EdnVector) item)) {
                    return false;
                }
            } else if (item != null && !(item instanceof Long || item instanceof String || item instanceof Keyword
                    || item instanceof Boolean || item instanceof Double)) {
                return false;
            }
        }
        return true;
    }

    private static Map<Object, Object> normalizeMap(Map<?, ?> map) {
        Map<Object, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            copy.put(normalize(entry.getKey()), normalize(entry.getValue()));
        }
        return Collections.unmodifiableMap(copy);
    }

    /** The bare name of a keyword, Clojure keyword, symbol or string: {@code :read}, {@code "read"} -> {@code read}. */
    public static String name(Object nameLike) {
        if (nameLike instanceof Keyword) {
            return ((Keyword) nameLike).name();
        }
        String text = nameLike.toString();
        return text.startsWith(":") ? text.substring(1) : text;
    }

    /** Whether a value names something (a keyword, a Clojure keyword, a symbol or a string). */
    public static boolean isNameLike(Object value) {
        if (value instanceof Keyword || value instanceof String || value instanceof Symbol) {
            return true;
        }
        return value != null && value.getClass().getName().equals("clojure.lang.Keyword");
    }
}
