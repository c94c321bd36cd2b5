package leasekv.checker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import leasekv.checker.edn.EdnData;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.Keyword;

/**
 * One event of a Jepsen history: an invocation or a completion by one process. Immutable.
 *
 * <p>Fields the checker does not interpret (such as {@code :node}, {@code :term}, {@code :read-mode} or
 * {@code :error}) are kept in {@link #extras()}, keyed by name without the colon, and carried untouched
 * into results.
 */
public final class Op implements EdnData {
    /** The process of nemesis ops ({@code :process :nemesis}); such ops are ignored by the checker. */
    public static final long NEMESIS = Long.MIN_VALUE;
    /** {@link #index()} of an op that has none yet; the checker then uses its position in the history. */
    public static final long NO_INDEX = -1;
    /** {@link #timeNanos()} of an op without a {@code :time}. */
    public static final long NO_TIME = Long.MIN_VALUE;

    private static final Keyword PROCESS = Keyword.of("process");
    private static final Keyword TYPE = Keyword.of("type");
    private static final Keyword F = Keyword.of("f");
    private static final Keyword VALUE = Keyword.of("value");
    private static final Keyword INDEX = Keyword.of("index");
    private static final Keyword TIME = Keyword.of("time");
    private static final Keyword NEMESIS_KEYWORD = Keyword.of("nemesis");

    private final long process;
    private final OpType type;
    private final Keyword f;
    private final Object value;
    private final long index;
    private final long timeNanos;
    private final Map<String, Object> extras;

    /**
     * @param process the process id, or {@link #NEMESIS}
     * @param f the function name without the colon, e.g. {@code "read"}
     * @param value a Long, String, null, or a List for tuples and transactions (normalized, see {@link Values})
     * @param index the op's index, or {@link #NO_INDEX}
     * @param timeNanos the op's {@code :time} in nanoseconds, or {@link #NO_TIME}
     * @param extras further fields carried through untouched; may be null
     */
    public Op(long process, OpType type, String f, Object value, long index, long timeNanos,
            Map<String, Object> extras) {
        if (type == null) {
            throw new IllegalArgumentException("an op needs a type (:invoke, :ok, :fail or :info)");
        }
        if (f == null) {
            throw new IllegalArgumentException("an op needs an :f");
        }
        this.process = process;
        this.type = type;
        this.f = Keyword.of(f);
        this.value = Values.normalize(value);
        this.index = index;
        this.timeNanos = timeNanos;
        this.extras = extras == null || extras.isEmpty() ? Collections.emptyMap() : copyExtras(extras);
    }

    /**
     * The interop-friendly factory: {@code process} is a number or {@code :nemesis}; {@code type} and
     * {@code f} are keywords (ours or Clojure's), strings or an {@link OpType}; {@code index} and
     * {@code timeNanos} are numbers or null; {@code extras} is any map with keyword or string keys.
     */
    public static Op of(Object process, Object type, Object f, Object value, Object index, Object timeNanos,
            Map<?, ?> extras) {
        return fromFields(parseProcess(process), type, f, value, optionalLong(index, "index", NO_INDEX),
                optionalLong(timeNanos, "time", NO_TIME), extras);
    }

    /**
     * As {@link #of}, for a reader that has the numbers as longs already: {@code process} ({@link #NEMESIS}
     * for the nemesis), {@code index} ({@link #NO_INDEX} if absent), {@code timeNanos} ({@link #NO_TIME}).
     */
    public static Op fromFields(long process, Object type, Object f, Object value, long index, long timeNanos,
            Map<?, ?> extras) {
        OpType opType = OpType.parse(type);
        if (opType == null) {
            throw new IllegalArgumentException(
                    ":type must be :invoke, :ok, :fail or :info, not " + EdnWriter.write(Values.normalize(type)));
        }
        if (f == null || !Values.isNameLike(f)) {
            throw new IllegalArgumentException(":f must be a keyword or string, not " + EdnWriter.write(Values.normalize(f)));
        }
        return new Op(process, opType, Values.name(f), value, index, timeNanos, extrasWithStringKeys(extras));
    }

    /** An op from a map with keys {@code :process :type :f :value :index :time} plus any extra fields. */
    public static Op fromMap(Map<?, ?> map) {
        Object process = null;
        Object type = null;
        Object f = null;
        Object value = null;
        Object index = null;
        Object time = null;
        Map<String, Object> extras = null;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = Values.name(entry.getKey());
            switch (key) {
                case "process": process = entry.getValue(); break;
                case "type": type = entry.getValue(); break;
                case "f": f = entry.getValue(); break;
                case "value": value = entry.getValue(); break;
                case "index": index = entry.getValue(); break;
                case "time": time = entry.getValue(); break;
                default:
                    if (extras == null) {
                        extras = new LinkedHashMap<>();
                    }
                    extras.put(key, entry.getValue());
            }
        }
        if (process == null) {
            throw new IllegalArgumentException("op has no :process");
        }
        if (type == null) {
            throw new IllegalArgumentException("op has no :type");
        }
        if (f == null) {
            throw new IllegalArgumentException("op has no :f");
        }
        return of(process, type, f, value, index, time, extras);
    }

    public static Op invoke(long process, String f, Object value) {
        return new Op(process, OpType.INVOKE, f, value, NO_INDEX, NO_TIME, null);
    }

    public static Op ok(long process, String f, Object value) {
        return new Op(process, OpType.OK, f, value, NO_INDEX, NO_TIME, null);
    }

    public static Op fail(long process, String f, Object value) {
        return new Op(process, OpType.FAIL, f, value, NO_INDEX, NO_TIME, null);
    }

    public static Op info(long process, String f, Object value) {
        return new Op(process, OpType.INFO, f, value, NO_INDEX, NO_TIME, null);
    }

    public long process() {
        return process;
    }

    public boolean isNemesis() {
        return process == NEMESIS;
    }

    public OpType type() {
        return type;
    }

    /** The function name without the colon, e.g. {@code "read"}. */
    public String f() {
        return f.name();
    }

    public Keyword fKeyword() {
        return f;
    }

    public Object value() {
        return value;
    }

    public long index() {
        return index;
    }

    public long timeNanos() {
        return timeNanos;
    }

    public boolean hasTime() {
        return timeNanos != NO_TIME;
    }

    /** Unmodifiable; keys are field names without the colon. */
    public Map<String, Object> extras() {
        return extras;
    }

    /** One extra field, e.g. {@code extra("node")}, or null. */
    public Object extra(String name) {
        return extras.get(name);
    }

    public Op withIndex(long newIndex) {
        return new Op(process, type, f.name(), value, newIndex, timeNanos, extras);
    }

    public Op withValue(Object newValue) {
        return new Op(process, type, f.name(), newValue, index, timeNanos, extras);
    }

    public Op withTimeNanos(long newTimeNanos) {
        return new Op(process, type, f.name(), value, index, newTimeNanos, extras);
    }

    /** The op as Jepsen prints it: {@code {:process 1, :type :ok, :f :read, :value 3, :index 7, ...}}. */
    @Override
    public Map<Object, Object> toEdnData() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(PROCESS, process == NEMESIS ? NEMESIS_KEYWORD : (Object) process);
        map.put(TYPE, type.keyword());
        map.put(F, f);
        map.put(VALUE, value);
        if (index != NO_INDEX) {
            map.put(INDEX, index);
        }
        if (timeNanos != NO_TIME) {
            map.put(TIME, timeNanos);
        }
        for (Map.Entry<String, Object> extra : extras.entrySet()) {
            map.put(Keyword.of(extra.getKey()), extra.getValue());
        }
        return map;
    }

    @Override
    public String toString() {
        return EdnWriter.write(this);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Op)) {
            return false;
        }
        Op op = (Op) other;
        return process == op.process && type == op.type && f == op.f && java.util.Objects.equals(value, op.value)
                && index == op.index && timeNanos == op.timeNanos && extras.equals(op.extras);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(process, type, f, value, index, timeNanos);
    }

    private static long parseProcess(Object process) {
        if (process instanceof Number) {
            return ((Number) process).longValue();
        }
        if (process != null && Values.isNameLike(process) && Values.name(process).equals("nemesis")) {
            return NEMESIS;
        }
        throw new IllegalArgumentException(":process must be an integer or :nemesis, not "
                + EdnWriter.write(Values.normalize(process)));
    }

    private static long optionalLong(Object number, String field, long absent) {
        if (number == null) {
            return absent;
        }
        if (number instanceof Number) {
            return ((Number) number).longValue();
        }
        throw new IllegalArgumentException(":" + field + " must be an integer, not " + EdnWriter.write(Values.normalize(number)));
    }

    private static Map<String, Object> extrasWithStringKeys(Map<?, ?> extras) {
        if (extras == null || extras.isEmpty()) {
            return null;
        }
        Map<String, Object> named = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : extras.entrySet()) {
            named.put(Values.name(entry.getKey()), entry.getValue());
        }
        return named;
    }

    private static Map<String, Object> copyExtras(Map<String, Object> extras) {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : extras.entrySet()) {
            String key = entry.getKey().startsWith(":") ? entry.getKey().substring(1) : entry.getKey();
            copy.put(key, Values.normalize(entry.getValue()));
        }
        return Collections.unmodifiableMap(copy);
    }
}
