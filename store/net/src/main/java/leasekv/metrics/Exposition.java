package leasekv.metrics;

import java.util.regex.Pattern;

/** Formatting rules of the Prometheus text exposition format 0.0.4. */
final class Exposition {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private Exposition() {
    }

    static String checkMetricName(String name) {
        if (name == null || !METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid Prometheus metric name: " + name);
        }
        return name;
    }

    static String checkLabelName(String name) {
        if (name == null || !LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
            throw new IllegalArgumentException("invalid Prometheus label name: " + name);
        }
        return name;
    }

    /** Integers print without a fraction; infinities and NaN use the spellings Prometheus parses. */
    static String formatValue(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /** Label values escape backslash, double quote and newline. */
    static String escapeLabelValue(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\': out.append("\\\\"); break;
                case '"': out.append("\\\""); break;
                case '\n': out.append("\\n"); break;
                default: out.append(c);
            }
        }
        return out.toString();
    }

    /** HELP text escapes backslash and newline. */
    static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    static void sample(StringBuilder out, String name, String labelName, String labelValue, double value) {
        out.append(name);
        if (labelName != null) {
            out.append('{').append(labelName).append("=\"").append(escapeLabelValue(labelValue)).append("\"}");
        }
        out.append(' ').append(formatValue(value)).append('\n');
    }
}
