package lnlb.shell.internal;

import java.util.Formatter;
import java.util.List;
import java.util.Map;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import lnlb.shell.internal.metrics.MetricsFormat;
import lnlb.shell.internal.metrics.MetricsText;
import lnlb.shell.internal.metrics.StatsMetrics;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Counters: what each cluster's engine, cluster protocol, link and loop have done, and the JVM's heap. */
@Component(service = CounterCommands.class)
@GogoCommand(scope = "lnlb", function = {"stats"})
public final class CounterCommands {
    private final ClusterAdmin admin;

    @Activate
    public CounterCommands(@Reference ClusterAdmin admin) {
        this.admin = admin;
    }

    @Descriptor("show every counter of every running cluster (engine, wire.*, link.*, loop.*, jvm.*); "
            + "as metrics text with --openmetrics or --prometheus, the view and the nodes too")
    public CharSequence stats(
            @Descriptor("OpenMetrics 1.0 text (with # EOF): every counter, the view and its nodes")
            @Parameter(names = {"-o", "--openmetrics"}, presentValue = "true", absentValue = "false") boolean openmetrics,
            @Descriptor("Prometheus text 0.0.4, as node_exporter's textfile collector reads it")
            @Parameter(names = {"-p", "--prometheus"}, presentValue = "true", absentValue = "false") boolean prometheus) {
        return Errors.answer("stats", () -> {
            MetricsFormat format = format(openmetrics, prometheus);
            if (format != null) {
                return MetricsText.render(StatsMetrics.collect(admin, null), format);
            }
            List<ClusterDTO> clusters = admin.clusters();
            Formatter out = new Formatter();
            for (ClusterDTO c : clusters) {
                if (!c.clusterMac.isEmpty()) {
                    counters(out, c.name);
                }
            }
            String text = out.toString().stripTrailing();
            return text.isEmpty() ? "no running clusters" : text;
        });
    }

    @Descriptor("show the counters of one cluster; with --watch, every SECONDS with what changed per second")
    public CharSequence stats(
            @Descriptor("seconds between samples (watch mode; 0 = one sample)")
            @Parameter(names = {"-w", "--watch"}, absentValue = "0") String seconds,
            @Descriptor("samples in watch mode")
            @Parameter(names = {"-c", "--count"}, absentValue = "10") String count,
            @Descriptor("OpenMetrics 1.0 text (with # EOF): every counter, the view and its nodes")
            @Parameter(names = {"-o", "--openmetrics"}, presentValue = "true", absentValue = "false") boolean openmetrics,
            @Descriptor("Prometheus text 0.0.4, as node_exporter's textfile collector reads it")
            @Parameter(names = {"-p", "--prometheus"}, presentValue = "true", absentValue = "false") boolean prometheus,
            @Descriptor("cluster name") String name) {
        return Errors.answer("stats", () -> {
            MetricsFormat format = format(openmetrics, prometheus);
            if (format != null) {
                if (!"0".equals(seconds.trim())) {
                    throw new IllegalArgumentException("--watch prints the table, not metrics text");
                }
                return MetricsText.render(StatsMetrics.collect(admin, name), format);
            }
            long interval = Errors.number("watch", seconds);
            long samples = Errors.number("count", count);
            if (interval < 0 || interval > 3600) {
                throw new IllegalArgumentException("watch must be 0..3600 seconds: " + seconds);
            }
            if (samples < 1 || samples > 100_000) {
                throw new IllegalArgumentException("count must be 1..100000: " + count);
            }
            Map<String, Long> before = admin.counters(name);
            if (interval == 0) {
                return counters(new Formatter(), name, before, null, 0).toString().stripTrailing();
            }
            // Each sample is printed as it comes (the session's stdout); the last one is the answer.
            long start = System.nanoTime();
            for (long i = 1; ; i++) {
                try {
                    Thread.sleep(interval * 1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "";
                }
                Map<String, Long> now = admin.counters(name);
                String sample = counters(new Formatter(), name + " after " + (System.nanoTime() - start) / 1_000_000_000 + " s",
                        now, before, interval).toString().stripTrailing();
                if (i == samples) {
                    return sample;
                }
                System.out.println(sample);
                System.out.flush();
                before = now;
            }
        });
    }

    private static MetricsFormat format(boolean openmetrics, boolean prometheus) {
        if (openmetrics && prometheus) {
            throw new IllegalArgumentException("--openmetrics or --prometheus, not both");
        }
        return openmetrics ? MetricsFormat.OPENMETRICS : prometheus ? MetricsFormat.PROMETHEUS : null;
    }

    private Formatter counters(Formatter out, String name) {
        return counters(out, name, admin.counters(name), null, 0);
    }

    /**
     * Every counter the cluster has, one per line (names as the admin service gives them, so new
     * counters appear without a change here); with {@code before}, each one that changed also
     * shows its change per second.
     */
    static Formatter counters(Formatter out, String title, Map<String, Long> counters, Map<String, Long> before, long seconds) {
        out.format("%s:%n", title);
        int width = Math.max(28, counters.keySet().stream().mapToInt(String::length).max().orElse(0));
        String plain = "  %-" + width + "s %,15d%n";
        String moving = "  %-" + width + "s %,15d  %+,.1f/s%n";
        counters.forEach((key, value) -> {
            Long was = before == null ? null : before.get(key);
            if (was != null && was.longValue() != value.longValue()) {
                out.format(moving, key, value, (value - was) / (double) seconds);
            } else {
                out.format(plain, key, value);
            }
        });
        return out;
    }
}
