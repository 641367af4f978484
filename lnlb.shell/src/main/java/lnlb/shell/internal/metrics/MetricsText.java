package lnlb.shell.internal.metrics;

import java.util.List;

/** Renders metric families as OpenMetrics or Prometheus text. */
public final class MetricsText {
    private MetricsText() {
    }

    public static String render(List<MetricFamily> families, MetricsFormat format) {
        StringBuilder out = new StringBuilder(4096);
        for (MetricFamily f : families) {
            if (f.samples().isEmpty()) {
                continue;  // a family without samples says nothing; promtool flags some of them
            }
            boolean counter = f.type() == MetricFamily.Type.COUNTER;
            String sampleName = counter ? f.name() + "_total" : f.name();
            String familyName = format == MetricsFormat.OPENMETRICS ? f.name() : sampleName;
            out.append("# HELP ").append(familyName).append(' ').append(escapeHelp(f.help(), format)).append('\n');
            out.append("# TYPE ").append(familyName).append(' ').append(counter ? "counter" : "gauge").append('\n');
            if (format == MetricsFormat.OPENMETRICS && !f.unit().isEmpty()) {
                out.append("# UNIT ").append(familyName).append(' ').append(f.unit()).append('\n');
            }
            for (MetricFamily.Sample s : f.samples()) {
                out.append(sampleName);
                labels(out, s.labels());
                out.append(' ').append(number(s.value())).append('\n');
            }
        }
        if (format == MetricsFormat.OPENMETRICS) {
            out.append("# EOF\n");
        }
        return out.toString();
    }

    private static void labels(StringBuilder out, List<String> labels) {
        if (labels.isEmpty()) {
            return;
        }
        out.append('{');
        for (int i = 0; i < labels.size(); i += 2) {
            if (i > 0) {
                out.append(',');
            }
            out.append(labels.get(i)).append("=\"").append(escapeLabel(labels.get(i + 1))).append('"');
        }
        out.append('}');
    }

    /** Integral values as integers (counters, epochs, bytes), others as Java's shortest exact decimal. */
    static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Prometheus text escapes backslash and newline in help; OpenMetrics also the double quote. */
    static String escapeHelp(String help, MetricsFormat format) {
        String escaped = help.replace("\\", "\\\\").replace("\n", "\\n");
        return format == MetricsFormat.OPENMETRICS ? escaped.replace("\"", "\\\"") : escaped;
    }
}
