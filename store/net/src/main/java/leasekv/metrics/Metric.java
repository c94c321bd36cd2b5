package leasekv.metrics;

/** One metric family in the registry: its name, help text, Prometheus type and current samples. */
interface Metric {
    String name();

    String help();

    /** "counter", "gauge" or "summary". */
    String type();

    /** Appends this family's sample lines (no HELP/TYPE lines) in the text exposition format 0.0.4. */
    void writeSamples(StringBuilder out);
}
