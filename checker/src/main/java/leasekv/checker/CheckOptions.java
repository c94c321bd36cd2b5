package leasekv.checker;

import java.util.Map;
import leasekv.checker.edn.EdnException;
import leasekv.checker.edn.EdnReader;
import leasekv.checker.edn.EdnWriter;
import leasekv.checker.model.Model;
import leasekv.checker.model.Models;

/**
 * How to check a history: the model and its initial value, the limits, and how to read the ops.
 * Immutable; build one with {@link #builder()} or {@link #fromEdn(String)}.
 */
public final class CheckOptions {
    /** The default time limit for one check: 2 minutes. */
    public static final long DEFAULT_TIME_LIMIT_MILLIS = 120_000;

    private final String model;
    private final Object initialValue;
    private final long timeLimitMillis;
    private final long memoryLimitBytes;
    private final int parallelism;
    private final NilReads nilReads;
    private final IndependentKeys independentKeys;
    private final boolean failFast;

    private CheckOptions(Builder b) {
        this.model = b.model;
        this.initialValue = b.initialValue;
        this.timeLimitMillis = b.timeLimitMillis;
        this.memoryLimitBytes = b.memoryLimitBytes > 0 ? b.memoryLimitBytes : defaultMemoryLimitBytes();
        this.parallelism = b.parallelism > 0 ? b.parallelism : Runtime.getRuntime().availableProcessors();
        this.nilReads = b.nilReads;
        this.independentKeys = b.independentKeys;
        this.failFast = b.failFast;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static CheckOptions defaults() {
        return builder().build();
    }

    /**
     * Options from an EDN map, convenient from Clojure: {@code {:model :cas-register, :initial 0,
     * :time-limit 30, :memory-limit-mb 1024, :parallelism 2, :nil-reads :absent, :independent :auto,
     * :fail-fast false}}. Every key is optional; {@code :time-limit} is in seconds.
     *
     * @throws IllegalArgumentException naming an unknown key or a bad value
     */
    public static CheckOptions fromEdn(String edn) {
        Object parsed = EdnReader.readString(edn);
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException("options must be an EDN map, not " + EdnWriter.write(parsed));
        }
        Builder builder = builder();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) parsed).entrySet()) {
            builder.set(Values.name(entry.getKey()), entry.getValue());
        }
        return builder.build();
    }

    /** Half the JVM's maximum heap: the rest holds the history and the results. */
    public static long defaultMemoryLimitBytes() {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    public String model() {
        return model;
    }

    /** The initial value as data; null means the model's default (an absent register, an empty set...). */
    public Object initialValue() {
        return initialValue;
    }

    public long timeLimitMillis() {
        return timeLimitMillis;
    }

    public long memoryLimitBytes() {
        return memoryLimitBytes;
    }

    public int parallelism() {
        return parallelism;
    }

    public NilReads nilReads() {
        return nilReads;
    }

    public IndependentKeys independentKeys() {
        return independentKeys;
    }

    /** Whether the check stops once one key is invalid; the keys left are then {@code :unknown}. */
    public boolean failFast() {
        return failFast;
    }

    /** A fresh model as these options describe it. */
    public Model createModel() {
        return Models.create(model, initialValue, nilReads == NilReads.ANYTHING);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model;
        b.initialValue = initialValue;
        b.timeLimitMillis = timeLimitMillis;
        b.memoryLimitBytes = memoryLimitBytes;
        b.parallelism = parallelism;
        b.nilReads = nilReads;
        b.independentKeys = independentKeys;
        b.failFast = failFast;
        return b;
    }

    @Override
    public String toString() {
        return "{:model :" + model + ", :initial " + EdnWriter.write(initialValue) + ", :time-limit-ms " + timeLimitMillis
                + ", :memory-limit-mb " + (memoryLimitBytes >> 20) + ", :parallelism " + parallelism
                + ", :nil-reads :" + nilReads.name().toLowerCase(java.util.Locale.ROOT)
                + ", :independent :" + independentKeys.name().toLowerCase(java.util.Locale.ROOT)
                + ", :fail-fast " + failFast + "}";
    }

    /** Builds {@link CheckOptions}; every setter returns the builder. */
    public static final class Builder {
        private String model = "cas-register";
        private Object initialValue;
        private long timeLimitMillis = DEFAULT_TIME_LIMIT_MILLIS;
        private long memoryLimitBytes;
        private int parallelism;
        private NilReads nilReads = NilReads.ABSENT;
        private IndependentKeys independentKeys = IndependentKeys.AUTO;
        private boolean failFast;

        private Builder() {
        }

        /** One of {@link Models#names()}: register, cas-register, multi-register, mutex, set, unordered-queue, fifo-queue. */
        public Builder model(String name) {
            this.model = Values.name(name);
            return this;
        }

        /** The initial value as data (Long, String, List, Map, Keyword...); null for the model's default. */
        public Builder initialValue(Object value) {
            this.initialValue = Values.normalize(value);
            return this;
        }

        /**
         * The initial value as EDN text, e.g. {@code "0"}, {@code "nil"}, {@code "{:x 0 :y 0}"}, {@code ":free"}.
         *
         * @throws IllegalArgumentException when the text is not one EDN value, with the reader's position and problem
         */
        public Builder initialEdn(String edn) {
            try {
                this.initialValue = EdnReader.readString(edn);
            } catch (EdnException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            return this;
        }

        /** The wall-clock limit for the whole check; keys not done by then are {@code :unknown}. */
        public Builder timeLimitMillis(long millis) {
            if (millis <= 0) {
                throw new IllegalArgumentException("the time limit must be positive, not " + millis + " ms");
            }
            this.timeLimitMillis = millis;
            return this;
        }

        public Builder timeLimitSeconds(double seconds) {
            return timeLimitMillis(Math.round(seconds * 1000));
        }

        /** Bytes the searches may hold at once, all keys together; 0 for half the maximum heap. */
        public Builder memoryLimitBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("the memory limit must not be negative");
            }
            this.memoryLimitBytes = bytes;
            return this;
        }

        public Builder memoryLimitMegabytes(long megabytes) {
            return memoryLimitBytes(megabytes << 20);
        }

        /** Keys checked at once; 0 for one per core. */
        public Builder parallelism(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("parallelism must not be negative");
            }
            this.parallelism = threads;
            return this;
        }

        public Builder nilReads(NilReads rule) {
            this.nilReads = rule;
            return this;
        }

        public Builder independentKeys(IndependentKeys mode) {
            this.independentKeys = mode;
            return this;
        }

        public Builder failFast(boolean stopAtFirstInvalidKey) {
            this.failFast = stopAtFirstInvalidKey;
            return this;
        }

        /** @throws IllegalArgumentException for an unknown model or an initial value it cannot start from */
        public CheckOptions build() {
            CheckOptions options = new CheckOptions(this);
            options.createModel();
            return options;
        }

        private void set(String key, Object value) {
            switch (key) {
                case "model": model(Values.name(require(value, key))); break;
                case "initial": initialValue(value); break;
                case "time-limit": timeLimitSeconds(number(value, key).doubleValue()); break;
                case "time-limit-ms": timeLimitMillis(number(value, key).longValue()); break;
                case "memory-limit-mb": memoryLimitMegabytes(number(value, key).longValue()); break;
                case "parallelism": parallelism(number(value, key).intValue()); break;
                case "nil-reads": nilReads(parseEnum(NilReads.class, value, key)); break;
                case "independent": independentKeys(parseIndependent(value)); break;
                case "fail-fast": failFast(Boolean.TRUE.equals(value)); break;
                default: throw new IllegalArgumentException("unknown option :" + key);
            }
        }

        private static Object require(Object value, String key) {
            if (value == null) {
                throw new IllegalArgumentException(":" + key + " needs a value");
            }
            return value;
        }

        private static Number number(Object value, String key) {
            if (!(value instanceof Number)) {
                throw new IllegalArgumentException(":" + key + " must be a number, not " + EdnWriter.write(value));
            }
            return (Number) value;
        }

        private static IndependentKeys parseIndependent(Object value) {
            if (Boolean.TRUE.equals(value)) {
                return IndependentKeys.YES;
            }
            if (Boolean.FALSE.equals(value)) {
                return IndependentKeys.NO;
            }
            return parseEnum(IndependentKeys.class, value, "independent");
        }

        private static <E extends Enum<E>> E parseEnum(Class<E> type, Object value, String key) {
            String name = Values.name(require(value, key)).toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            try {
                return Enum.valueOf(type, name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(":" + key + " cannot be " + EdnWriter.write(value));
            }
        }
    }
}
