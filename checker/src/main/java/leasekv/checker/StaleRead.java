package leasekv.checker;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import leasekv.checker.edn.EdnData;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.edn.Keyword;

/**
 * A read that returned an old value: which read, what it returned, the acknowledged write it should have
 * seen, and how long after that write's acknowledgement the read began. The read's extra fields (such as
 * {@code node}, {@code term} and {@code read-mode}) say who served it.
 */
public final class StaleRead implements EdnData {
    private final Object key;
    private final Op readInvoke;
    private final Op read;
    private final Object readValue;
    private final Op writeInvoke;
    private final Op write;
    private final Object writtenValue;

    /**
     * @param read the {@code :ok} completion of the read
     * @param readValue what the read returned, without the key
     * @param write the {@code :ok} completion of the write (or cas) it should have seen
     * @param writtenValue the value that write left (for a cas, its new value)
     */
    public StaleRead(Object key, Op readInvoke, Op read, Object readValue, Op writeInvoke, Op write,
            Object writtenValue) {
        this.key = key;
        this.readInvoke = readInvoke;
        this.read = read;
        this.readValue = readValue;
        this.writeInvoke = writeInvoke;
        this.write = write;
        this.writtenValue = writtenValue;
    }

    public Object key() {
        return key;
    }

    /** The read's {@code :ok} completion, with its :index and extra fields. */
    public Op read() {
        return read;
    }

    public Op readInvoke() {
        return readInvoke;
    }

    public long readIndex() {
        return read.index();
    }

    /** What the read returned (without the key); null means the key was absent. */
    public Object readValue() {
        return readValue;
    }

    /** The {@code :ok} completion of the acknowledged write the read should have seen. */
    public Op write() {
        return write;
    }

    public Op writeInvoke() {
        return writeInvoke;
    }

    public long writeIndex() {
        return write.index();
    }

    public Object writtenValue() {
        return writtenValue;
    }

    /** When the write was acknowledged ({@code :time} of its completion), or {@link Op#NO_TIME}. */
    public long writeAckedNanos() {
        return write.timeNanos();
    }

    /** When the read began ({@code :time} of its invocation), or {@link Op#NO_TIME}. */
    public long readBeganNanos() {
        return readInvoke.timeNanos();
    }

    /** Milliseconds from the write's acknowledgement to the read's invocation; null without times. */
    public Double lagMillis() {
        if (!write.hasTime() || !readInvoke.hasTime()) {
            return null;
        }
        return (readInvoke.timeNanos() - write.timeNanos()) / 1e6;
    }

    /** An extra field of the read (completion first, then invocation), e.g. {@code "node"}; or null. */
    public Object readField(String name) {
        Object value = read.extra(name);
        return value != null ? value : readInvoke.extra(name);
    }

    /** Plain words, e.g. "Read of key 3 by process 5 (op index 491; node n2, term 7, read-mode lease) returned 1, ..." */
    public String explanation() {
        StringBuilder text = new StringBuilder("Read");
        if (key != null) {
            text.append(" of key ").append(EdnWriter.write(key));
        }
        text.append(" by process ").append(read.process()).append(" (op index ").append(read.index());
        String servedBy = servedBy();
        if (!servedBy.isEmpty()) {
            text.append("; ").append(servedBy);
        }
        text.append(") returned ").append(describe(readValue())).append(", but the write of ")
                .append(EdnWriter.write(writtenValue)).append(" by process ").append(write.process())
                .append(" (op index ").append(write.index()).append(") had been acknowledged");
        Double lag = lagMillis();
        if (lag != null) {
            text.append(String.format(Locale.ROOT, " %.3f ms before the read began", lag));
        } else {
            text.append(" before the read began");
        }
        return text.append('.').toString();
    }

    private String servedBy() {
        StringBuilder text = new StringBuilder();
        for (String field : new String[] {"node", "term", "read-mode"}) {
            Object value = readField(field);
            if (value != null) {
                if (text.length() > 0) {
                    text.append(", ");
                }
                text.append(field).append(' ').append(value instanceof String ? value : EdnWriter.write(value));
            }
        }
        return text.toString();
    }

    private static String describe(Object value) {
        return value == null ? "nil (the key was absent)" : EdnWriter.write(value);
    }

    @Override
    public Map<Object, Object> toEdnData() {
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put(Keyword.of("key"), key);
        map.put(Keyword.of("read-index"), read.index());
        map.put(Keyword.of("value"), readValue());
        for (String field : new String[] {"node", "term", "read-mode"}) {
            map.put(Keyword.of(field), readField(field));
        }
        map.put(Keyword.of("read"), read);
        map.put(Keyword.of("write-index"), write.index());
        map.put(Keyword.of("write-value"), writtenValue);
        map.put(Keyword.of("write"), write);
        map.put(Keyword.of("write-acked-nanos"), write.hasTime() ? write.timeNanos() : null);
        map.put(Keyword.of("read-began-nanos"), readInvoke.hasTime() ? readInvoke.timeNanos() : null);
        map.put(Keyword.of("lag-ms"), lagMillis());
        map.put(Keyword.of("explanation"), explanation());
        return map;
    }

    @Override
    public String toString() {
        return explanation();
    }
}
