package leasekv.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A latency summary in seconds: quantiles over a sliding window plus cumulative {@code _sum} and
 * {@code _count}. Recording is wait-free (HdrHistogram's Recorder, 3 significant digits, so a
 * quantile is within 0.1% of the true sample); only scrapes take a lock.
 *
 * <p>The window: samples go into the current bucket; buckets rotate every {@code bucketNanos}, and
 * quantiles cover the current and the previous bucket, i.e. the last one to two bucket lengths.
 * An empty window reports NaN quantiles, as Prometheus client libraries do.
 */
public final class Summary {
    static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};
    static final long DEFAULT_BUCKET_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Recorder recorder = new Recorder(3);
    private final LongAdder count = new LongAdder();
    private final LongAdder sumNanos = new LongAdder();
    private final LongSupplier nanoClock;
    private final long bucketNanos;

    private Histogram recycled;
    private Histogram current = new Histogram(3);
    private Histogram previous = new Histogram(3);
    private long currentStartNanos;

    Summary(LongSupplier nanoClock, long bucketNanos) {
        if (bucketNanos <= 0) {
            throw new IllegalArgumentException("bucketNanos must be positive, got " + bucketNanos);
        }
        this.nanoClock = nanoClock;
        this.bucketNanos = bucketNanos;
        this.currentStartNanos = nanoClock.getAsLong();
    }

    /** Records one observation of {@code nanos} nanoseconds (negative values count as 0). */
    public void recordNanos(long nanos) {
        long value = Math.max(0, nanos);
        recorder.recordValue(value);
        count.increment();
        sumNanos.add(value);
    }

    public long count() {
        return count.sum();
    }

    public double sumSeconds() {
        return sumNanos.sum() / 1e9;
    }

    /** The {@code quantile} (0..1) of the window in seconds, NaN when the window is empty. */
    public synchronized double quantileSeconds(double quantile) {
        Histogram window = windowHistogram();
        return window.getTotalCount() == 0 ? Double.NaN : window.getValueAtPercentile(quantile * 100) / 1e9;
    }

    synchronized double[] quantilesSeconds() {
        Histogram window = windowHistogram();
        double[] values = new double[QUANTILES.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = window.getTotalCount() == 0
                    ? Double.NaN : window.getValueAtPercentile(QUANTILES[i] * 100) / 1e9;
        }
        return values;
    }

    private Histogram windowHistogram() {
        rotate(nanoClock.getAsLong());
        Histogram interval = recorder.getIntervalHistogram(recycled);
        current.add(interval);
        recycled = interval;
        Histogram window = previous.copy();
        window.add(current);
        return window;
    }

    private void rotate(long nowNanos) {
        long age = nowNanos - currentStartNanos;
        if (age < bucketNanos) {
            return;
        }
        previous = age < 2 * bucketNanos ? current : new Histogram(3);
        current = new Histogram(3);
        currentStartNanos = nowNanos;
    }
}
