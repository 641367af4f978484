package lnlb.shell.internal.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import lnlb.core.api.admin.ClusterAdmin;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every cluster's metrics (Prometheus text, {@link StatsMetrics}) to a file every few
 * seconds, for node_exporter's textfile collector: no listening socket, the runtime stays without
 * one. Each write goes to a temporary file beside the target and is renamed over it, so a reader
 * sees the old text or the new, never half of one. The file is removed when the runtime stops
 * (after a crash it stays, and node_exporter's {@code node_textfile_mtime_seconds} shows its age).
 *
 * <p>The path is {@code textfile} of configuration {@value #PID} ({@code /etc/lnlb/lnlb.metrics.cfg}),
 * else the framework property {@value #TEXTFILE_PROPERTY}; neither set: nothing is written.
 */
@Designate(ocd = MetricsTextfile.Config.class)
@Component(service = {}, immediate = true, configurationPid = MetricsTextfile.PID)
public final class MetricsTextfile {
    static final String PID = "lnlb.metrics";
    static final String TEXTFILE_PROPERTY = "lnlb.metrics.textfile";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsTextfile.class);

    @ObjectClassDefinition(name = "lnlb metrics textfile", description = "Metrics for node_exporter's textfile collector")
    public @interface Config {
        @AttributeDefinition(required = false, description = "The file to write (a .prom file in node_exporter's "
                + "--collector.textfile.directory); empty: the lnlb.metrics.textfile framework property, else none")
        String textfile() default "";

        @AttributeDefinition(description = "Milliseconds between writes (>= 100)")
        long interval_ms() default 5000;
    }

    private final ClusterAdmin admin;
    private final Path path;
    private final Path temporary;
    private final ScheduledExecutorService timer;
    /** The last failure's message, so that a lasting failure is one WARN line, not one per write. */
    private String lastFailure;

    @Activate
    public MetricsTextfile(BundleContext context, Config config, @Reference ClusterAdmin admin) {
        this.admin = admin;
        String configured = config.textfile() == null || config.textfile().isBlank()
                ? context.getProperty(TEXTFILE_PROPERTY) : config.textfile();
        if (configured == null || configured.isBlank()) {
            path = null;
            temporary = null;
            timer = null;
            return;
        }
        long interval = config.interval_ms();
        if (interval < 100) {
            throw new IllegalArgumentException("interval.ms must be >= 100: " + interval);
        }
        path = Path.of(configured.trim()).toAbsolutePath();
        // beside the target (a rename within one file system is atomic); not *.prom, so never read
        temporary = path.resolveSibling("." + path.getFileName() + ".tmp");
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lnlb-metrics");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::writeLogged, 0, interval, TimeUnit.MILLISECONDS);
        LOG.info("metrics textfile {}: written every {} ms", path, interval);
    }

    private void writeLogged() {
        try {
            write(MetricsText.render(StatsMetrics.collect(admin, null), MetricsFormat.PROMETHEUS), path, temporary);
            if (lastFailure != null) {
                LOG.info("metrics textfile {}: written again", path);
                lastFailure = null;
            }
        } catch (IOException | RuntimeException e) {
            String why = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!Objects.equals(why, lastFailure)) {
                LOG.warn("metrics textfile {} not written: {}", path, why);
                lastFailure = why;
            }
        }
    }

    /** Writes {@code text} to {@code temporary} (0644: node_exporter runs as another user) and renames it to {@code path}. */
    static void write(String text, Path path, Path temporary) throws IOException {
        Files.writeString(temporary, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
        try {
            Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    @Deactivate
    void stop() throws InterruptedException {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        try {
            Files.deleteIfExists(path);
            Files.deleteIfExists(temporary);
        } catch (IOException e) {
            LOG.warn("metrics textfile {} not removed: {}", path, e.getMessage());
        }
    }
}
