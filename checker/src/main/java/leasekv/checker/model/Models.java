package leasekv.checker.model;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import leasekv.checker.edn.EdnWriter;

/** The models by name. A new model is one class plus one line in {@link #FACTORIES}. */
public final class Models {
    /** Builds a model from its initial value (null for the model's default) and the nil-read rule. */
    @FunctionalInterface
    public interface Factory {
        Model create(Object initialValue, boolean nilReadMatchesAnything);
    }

    private static final Map<String, Factory> FACTORIES = new LinkedHashMap<>();

    static {
        FACTORIES.put("register", RegisterModel::new);
        FACTORIES.put("cas-register", CasRegisterModel::new);
        FACTORIES.put("multi-register", (initial, nilAny) -> new MultiRegisterModel(asMap(initial, "multi-register"), nilAny));
        FACTORIES.put("mutex", (initial, nilAny) -> new MutexModel(MutexModel.parseHeld(initial)));
        FACTORIES.put("set", (initial, nilAny) -> new SetModel(asCollection(initial, "set")));
        FACTORIES.put("unordered-queue", (initial, nilAny) -> new UnorderedQueueModel(asCollection(initial, "unordered-queue")));
        FACTORIES.put("fifo-queue", (initial, nilAny) -> new FifoQueueModel(asCollection(initial, "fifo-queue")));
    }

    private Models() {
    }

    public static Set<String> names() {
        return Collections.unmodifiableSet(FACTORIES.keySet());
    }

    /**
     * @param initialValue the initial value as data (null: the model's default, e.g. an absent register)
     * @throws IllegalArgumentException for an unknown name or an initial value of the wrong shape
     */
    public static Model create(String name, Object initialValue, boolean nilReadMatchesAnything) {
        Factory factory = FACTORIES.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown model '" + name + "'; known models: " + String.join(", ", names()));
        }
        return factory.create(initialValue, nilReadMatchesAnything);
    }

    private static Map<?, ?> asMap(Object initial, String model) {
        if (initial == null) {
            return Map.of();
        }
        if (initial instanceof Map) {
            return (Map<?, ?>) initial;
        }
        throw new IllegalArgumentException("the " + model + " model starts from a map such as {:x 0}, not "
                + EdnWriter.write(initial));
    }

    private static Collection<?> asCollection(Object initial, String model) {
        if (initial == null) {
            return List.of();
        }
        if (initial instanceof Collection) {
            return (Collection<?>) initial;
        }
        throw new IllegalArgumentException("the " + model + " model starts from a collection such as [] or #{}, not "
                + EdnWriter.write(initial));
    }
}
