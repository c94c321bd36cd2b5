package leasekv.metrics;

/** A counter family with one label, e.g. {@code leasekv_transport_dropped_total{lane="snapshot"}}. */
public final class LabelledCounter {
    private final LabelledMetric<Counter> family;

    LabelledCounter(LabelledMetric<Counter> family) {
        this.family = family;
    }

    /** The counter for one label value, created (at 0) on first use. Cache it on hot paths. */
    public Counter labels(String labelValue) {
        return family.child(labelValue);
    }
}
