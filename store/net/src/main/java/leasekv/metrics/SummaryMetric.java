package leasekv.metrics;

/** Exposes a {@link Summary} as a Prometheus summary family. */
final class SummaryMetric implements Metric {
    private final String name;
    private final String help;
    final Summary summary;

    SummaryMetric(String name, String help, Summary summary) {
        this.name = name;
        this.help = help;
        this.summary = summary;
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
        return "summary";
    }

    @Override
    public void writeSamples(StringBuilder out) {
        // count and sum are read before the quantiles so that count never undercounts the window.
        long count = summary.count();
        double sum = summary.sumSeconds();
        double[] values = summary.quantilesSeconds();
        for (int i = 0; i < values.length; i++) {
            Exposition.sample(out, name, "quantile", Exposition.formatValue(Summary.QUANTILES[i]), values[i]);
        }
        Exposition.sample(out, name + "_sum", null, null, sum);
        Exposition.sample(out, name + "_count", null, null, count);
    }
}
