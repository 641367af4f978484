package lnlb.shell.internal.metrics;

/**
 * The two text formats: they differ where a counter is named and in the trailer, so one text
 * cannot be both (a parser of either rejects the other's counters).
 */
public enum MetricsFormat {
    /**
     * OpenMetrics 1.0 ({@code application/openmetrics-text; version=1.0.0}): a counter family
     * {@code x} with samples {@code x_total}, {@code # UNIT} lines, and {@code # EOF} last.
     */
    OPENMETRICS,
    /**
     * Prometheus text format 0.0.4, which node_exporter's textfile collector and
     * {@code promtool check metrics} read: {@code # TYPE x_total counter}, no unit lines, no trailer.
     */
    PROMETHEUS
}
