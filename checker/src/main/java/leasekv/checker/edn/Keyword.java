package leasekv.checker.edn;

import java.util.concurrent.ConcurrentHashMap;

/** An EDN keyword such as {@code :read}. Interned, so instances compare by identity as well as by equals. */
public final class Keyword implements Comparable<Keyword> {
    private static final ConcurrentHashMap<String, Keyword> INTERNED = new ConcurrentHashMap<>();

    private final String name;

    private Keyword(String name) {
        this.name = name;
    }

    /** The keyword with this name; a leading colon is ignored, so {@code of(":read") == of("read")}. */
    public static Keyword of(String name) {
        String bare = name.startsWith(":") ? name.substring(1) : name;
        Keyword existing = INTERNED.get(bare);
        return existing != null ? existing : INTERNED.computeIfAbsent(bare, Keyword::new);
    }

    /** The name without the leading colon. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return ":" + name;
    }

    @Override
    public int compareTo(Keyword other) {
        return name.compareTo(other.name);
    }
}
