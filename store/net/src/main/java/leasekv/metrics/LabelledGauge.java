package leasekv.metrics;

/** A gauge family with one label, e.g. {@code leasekv_fsm_sync_mode{mode="nosync"} 1}. */
public final class LabelledGauge {
    private final LabelledMetric<Gauge> family;

    LabelledGauge(LabelledMetric<Gauge> family) {
        this.family = family;
    }

    /** The gauge for one label value, created (at 0) on first use. */
    public Gauge labels(String labelValue) {
        return family.child(labelValue);
    }
}
