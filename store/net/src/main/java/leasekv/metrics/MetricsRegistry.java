package leasekv.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * A tiny Prometheus registry. Registration is get-or-create: asking again for the same name and kind
 * returns the same metric, so independent parts (transport, node) can each declare what they use.
 * Asking for an existing name with a different kind or label is a programming error and throws.
 *
 * <p>Thread-safe. Updating a metric never takes the registry lock; {@link #scrape()} does.
 */
public final class MetricsRegistry {
    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private final LongSupplier nanoClock;

    public MetricsRegistry() {
        this(System::nanoTime);
    }

    /** @param nanoClock monotonic time for summary windows (tests inject a fake one) */
    public MetricsRegistry(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    public synchronized Counter counter(String name, String help) {
        Metric existing = lookup(name, "counter", null);
        if (existing != null) {
            return (Counter) ((ValueMetric) existing).handle;
        }
        Counter counter = new Counter();
        register(new ValueMetric(name, help, "counter", counter::value, counter));
        return counter;
    }

    public synchronized Gauge gauge(String name, String help) {
        Metric existing = lookup(name, "gauge", null);
        if (existing != null) {
            Object handle = ((ValueMetric) existing).handle;
            if (!(handle instanceof Gauge)) {
                throw new IllegalArgumentException(name + " is already registered as a callback gauge");
            }
            return (Gauge) handle;
        }
        Gauge gauge = new Gauge();
        register(new ValueMetric(name, help, "gauge", gauge::value, gauge));
        return gauge;
    }

    /** A gauge whose value is read from {@code source} at every scrape (it must be cheap and thread-safe). */
    public synchronized void callbackGauge(String name, String help, DoubleSupplier source) {
        if (lookup(name, "gauge", null) != null) {
            throw new IllegalArgumentException("gauge " + name + " is already registered");
        }
        register(new ValueMetric(name, help, "gauge", source, null));
    }

    public synchronized LabelledCounter labelledCounter(String name, String help, String labelName) {
        Metric existing = lookup(name, "counter", labelName);
        if (existing != null) {
            return (LabelledCounter) ((LabelledMetric<?>) existing).handle;
        }
        LabelledMetric<Counter> family = new LabelledMetric<>(name, help, "counter", labelName,
                Counter::new, Counter::value);
        LabelledCounter handle = new LabelledCounter(family);
        family.handle = handle;
        register(family);
        return handle;
    }

    public synchronized LabelledGauge labelledGauge(String name, String help, String labelName) {
        Metric existing = lookup(name, "gauge", labelName);
        if (existing != null) {
            return (LabelledGauge) ((LabelledMetric<?>) existing).handle;
        }
        LabelledMetric<Gauge> family = new LabelledMetric<>(name, help, "gauge", labelName,
                Gauge::new, Gauge::value);
        LabelledGauge handle = new LabelledGauge(family);
        family.handle = handle;
        register(family);
        return handle;
    }

    /** A latency summary in seconds with quantiles over the last one to two minutes. */
    public synchronized Summary summary(String name, String help) {
        Metric existing = lookup(name, "summary", null);
        if (existing != null) {
            return ((SummaryMetric) existing).summary;
        }
        Summary summary = new Summary(nanoClock, Summary.DEFAULT_BUCKET_NANOS);
        register(new SummaryMetric(name, help, summary));
        return summary;
    }

    /** The whole registry in the Prometheus text exposition format 0.0.4. */
    public String scrape() {
        List<Metric> snapshot;
        synchronized (this) {
            snapshot = new ArrayList<>(metrics.values());
        }
        StringBuilder out = new StringBuilder(4096);
        for (Metric metric : snapshot) {
            out.append("# HELP ").append(metric.name()).append(' ')
                    .append(Exposition.escapeHelp(metric.help())).append('\n');
            out.append("# TYPE ").append(metric.name()).append(' ').append(metric.type()).append('\n');
            metric.writeSamples(out);
        }
        return out.toString();
    }

    private Metric lookup(String name, String type, String labelName) {
        Exposition.checkMetricName(name);
        Metric existing = metrics.get(name);
        if (existing == null) {
            return null;
        }
        String existingLabel = existing instanceof LabelledMetric ? ((LabelledMetric<?>) existing).labelName() : null;
        if (!existing.type().equals(type) || !Objects.equals(existingLabel, labelName)) {
            throw new IllegalArgumentException("metric " + name + " is already registered as a " + existing.type()
                    + (existingLabel == null ? "" : " labelled by " + existingLabel));
        }
        return existing;
    }

    private void register(Metric metric) {
        if (metric.help() == null || metric.help().isEmpty()) {
            throw new IllegalArgumentException("metric " + metric.name() + " needs a help text");
        }
        metrics.put(metric.name(), metric);
    }
}
