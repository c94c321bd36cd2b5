package leasekv.metrics;

/** A value that goes up and down, set by its owner (for example the current term). */
public final class Gauge {
    private volatile double value;

    public void set(double newValue) {
        value = newValue;
    }

    public double value() {
        return value;
    }
}
