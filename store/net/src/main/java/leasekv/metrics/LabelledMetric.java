package leasekv.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/** A counter or gauge family with one label; children are created on first use of a label value. */
final class LabelledMetric<T> implements Metric {
    private final String name;
    private final String help;
    private final String type;
    private final String labelName;
    private final Supplier<T> childFactory;
    private final ToDoubleFunction<T> reader;
    private final ConcurrentHashMap<String, T> children = new ConcurrentHashMap<>();
    /** The public handle (LabelledCounter or LabelledGauge), set once right after construction. */
    Object handle;

    LabelledMetric(String name, String help, String type, String labelName,
                   Supplier<T> childFactory, ToDoubleFunction<T> reader) {
        this.name = name;
        this.help = help;
        this.type = type;
        this.labelName = Exposition.checkLabelName(labelName);
        this.childFactory = childFactory;
        this.reader = reader;
    }

    T child(String labelValue) {
        if (labelValue == null) {
            throw new IllegalArgumentException("label " + labelName + " of " + name + " needs a value");
        }
        T existing = children.get(labelValue);
        return existing != null ? existing : children.computeIfAbsent(labelValue, v -> childFactory.get());
    }

    String labelName() {
        return labelName;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String help() {
        return help;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public void writeSamples(StringBuilder out) {
        // Sorted so that scrapes are stable and diffable.
        for (Map.Entry<String, T> e : new TreeMap<>(children).entrySet()) {
            Exposition.sample(out, name, labelName, e.getKey(), reader.applyAsDouble(e.getValue()));
        }
    }
}
