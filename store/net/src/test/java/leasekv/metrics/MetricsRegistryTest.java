package leasekv.metrics;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsRegistryTest {

    @Test
    void exposesCountersGaugesAndLabelledFamiliesInTextFormat() {
        MetricsRegistry registry = new MetricsRegistry();
        registry.counter("leasekv_wal_fsyncs_total", "WAL fsyncs.").add(3);
        registry.gauge("leasekv_term", "Current term.").set(7);
        registry.callbackGauge("leasekv_applied_index", "Applied index.", () -> 41.5);
        LabelledCounter reads = registry.labelledCounter("leasekv_lease_reads_total", "Lease reads by outcome.", "outcome");
        reads.labels("miss").inc();
        reads.labels("hit").add(2);
        registry.labelledGauge("leasekv_fsm_sync_mode", "Active FSM sync mode.", "mode").labels("nosync").set(1);

        assertEquals(""
                + "# HELP leasekv_wal_fsyncs_total WAL fsyncs.\n"
                + "# TYPE leasekv_wal_fsyncs_total counter\n"
                + "leasekv_wal_fsyncs_total 3\n"
                + "# HELP leasekv_term Current term.\n"
                + "# TYPE leasekv_term gauge\n"
                + "leasekv_term 7\n"
                + "# HELP leasekv_applied_index Applied index.\n"
                + "# TYPE leasekv_applied_index gauge\n"
                + "leasekv_applied_index 41.5\n"
                + "# HELP leasekv_lease_reads_total Lease reads by outcome.\n"
                + "# TYPE leasekv_lease_reads_total counter\n"
                + "leasekv_lease_reads_total{outcome=\"hit\"} 2\n"
                + "leasekv_lease_reads_total{outcome=\"miss\"} 1\n"
                + "# HELP leasekv_fsm_sync_mode Active FSM sync mode.\n"
                + "# TYPE leasekv_fsm_sync_mode gauge\n"
                + "leasekv_fsm_sync_mode{mode=\"nosync\"} 1\n", registry.scrape());
    }

    @Test
    void summaryReportsQuantilesSumAndCountInSeconds() {
        AtomicLong now = new AtomicLong();
        MetricsRegistry registry = new MetricsRegistry(now::get);
        Summary fsync = registry.summary("leasekv_wal_fsync_seconds", "WAL fsync latency.");
        String empty = registry.scrape();
        assertTrue(empty.contains("leasekv_wal_fsync_seconds{quantile=\"0.5\"} NaN\n"), empty);
        assertTrue(empty.contains("leasekv_wal_fsync_seconds_count 0\n"), empty);
        for (int ms = 1; ms <= 100; ms++) {
            fsync.recordNanos(ms * 1_000_000L);
        }
        String text = registry.scrape();
        assertTrue(text.contains("# TYPE leasekv_wal_fsync_seconds summary\n"), text);
        assertEquals(0.050, fsync.quantileSeconds(0.5), 0.0001);
        assertEquals(0.099, fsync.quantileSeconds(0.99), 0.0002);
        assertTrue(text.contains("leasekv_wal_fsync_seconds_sum 5.05\n"), text);
        assertTrue(text.contains("leasekv_wal_fsync_seconds_count 100\n"), text);
        assertTrue(text.matches("(?s).*leasekv_wal_fsync_seconds\\{quantile=\"0.999\"} 0\\.1\\d*\n.*"), text);

        // Quantiles cover the last one to two minutes; sum and count are cumulative.
        now.addAndGet(61_000_000_000L);
        fsync.recordNanos(5_000_000_000L);
        assertEquals(0.051, fsync.quantileSeconds(0.5), 0.0001, "the previous minute still counts (51st of 101)");
        now.addAndGet(61_000_000_000L);
        assertEquals(5.0, fsync.quantileSeconds(0.5), 0.01, "only the newest sample is left in the window");
        now.addAndGet(121_000_000_000L);
        assertTrue(Double.isNaN(fsync.quantileSeconds(0.5)));
        assertEquals(101, fsync.count());
    }

    @Test
    void registrationIsGetOrCreateAndChecksKindsAndNames() {
        MetricsRegistry registry = new MetricsRegistry();
        Counter c = registry.counter("a_total", "A.");
        assertSame(c, registry.counter("a_total", "A."));
        LabelledCounter l = registry.labelledCounter("b_total", "B.", "lane");
        assertSame(l, registry.labelledCounter("b_total", "B.", "lane"));
        assertSame(l.labels("x"), l.labels("x"));
        assertThrows(IllegalArgumentException.class, () -> registry.gauge("a_total", "A."));
        assertThrows(IllegalArgumentException.class, () -> registry.labelledCounter("b_total", "B.", "other"));
        assertThrows(IllegalArgumentException.class, () -> registry.counter("bad name", "x"));
        assertThrows(IllegalArgumentException.class, () -> registry.counter("no_help", ""));
        assertThrows(IllegalArgumentException.class, () -> registry.labelledCounter("c_total", "C.", "__reserved"));
        assertThrows(IllegalArgumentException.class, () -> c.add(-1));
    }

    @Test
    void escapesLabelValuesAndHelpText() {
        MetricsRegistry registry = new MetricsRegistry();
        registry.labelledCounter("x_total", "Line one\nback\\slash.", "v").labels("a\"b\\c\nd").inc();
        String text = registry.scrape();
        assertTrue(text.contains("# HELP x_total Line one\\nback\\\\slash.\n"), text);
        assertTrue(text.contains("x_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"), text);
    }

    @Test
    void formatsSpecialValues() {
        assertEquals("+Inf", Exposition.formatValue(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", Exposition.formatValue(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", Exposition.formatValue(Double.NaN));
        assertEquals("-3", Exposition.formatValue(-3.0));
        assertEquals("1.0E-4", Exposition.formatValue(0.0001));
    }
}
