package leasekv.metrics;

import java.util.function.DoubleSupplier;

/** An unlabelled counter or gauge family with a single sample read from {@code source}. */
final class ValueMetric implements Metric {
    private final String name;
    private final String help;
    private final String type;
    private final DoubleSupplier source;
    final Object handle;

    ValueMetric(String name, String help, String type, DoubleSupplier source, Object handle) {
        this.name = name;
        this.help = help;
        this.type = type;
        this.source = source;
        this.handle = handle;
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
        Exposition.sample(out, name, null, null, source.getAsDouble());
    }
}
