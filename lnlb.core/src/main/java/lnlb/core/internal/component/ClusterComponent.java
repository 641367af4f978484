package lnlb.core.internal.component;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.LinkProvider;
import lnlb.core.api.LinkSpec;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.internal.engine.ClusterConfig;
import lnlb.core.internal.engine.ClusterEngine;
import lnlb.core.internal.loop.ThreadEventLoop;
import lnlb.core.internal.weight.ProcWeights;
import lnlb.core.internal.weight.WeightMode;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster per factory configuration ({@code lnlb.cluster}): opens its link, runs its engine on
 * its own loop thread, and keeps the engine's module table in step with the whiteboard.
 */
@Designate(ocd = ClusterComponent.Config.class, factory = true)
@Component(service = ClusterComponent.class, configurationPid = ClusterComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, immediate = true)
public final class ClusterComponent implements ModuleRegistry.Listener {
    public static final String PID = "lnlb.cluster";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterComponent.class);
    private static final long CALL_TIMEOUT_MILLIS = 5000;

    @ObjectClassDefinition(name = "lnlb cluster", description = "One load-balanced cluster IP on one device")
    public @interface Config {
        @AttributeDefinition(description = "The cluster IP (VIP) shared by every node")
        String vip();

        @AttributeDefinition(description = "The real device every node of the cluster is attached to, e.g. eth0")
        String device();

        @AttributeDefinition(description = "Name of the virtual interface; empty = next free nlbN", required = false)
        String name() default "";

        @AttributeDefinition(description = "Milliseconds between heartbeats (>= 10)")
        long heartbeat_interval_ms() default ClusterConfig.DEFAULT_INTERVAL_MILLIS;

        @AttributeDefinition(description = "Heartbeats a node may miss before it is declared dead (>= 2)")
        int tolerance() default ClusterConfig.DEFAULT_TOLERANCE;

        @AttributeDefinition(description = "loadavg, loadavg5, loadavg15, freemem or manual")
        String weight_mode() default "loadavg";

        @AttributeDefinition(description = "The weight in manual mode (1..1000000; higher = busier)")
        int weight() default 1;

        @AttributeDefinition(description = "Which link provider to use (LDAP filter on lnlb.link.type)")
        String link_target() default "(lnlb.link.type=linux)";
    }

    private final ModuleRegistry registry;
    private final LinkProvider links;
    private final ProcWeights weights;
    /** What runs now: replaced as a whole when {@link #modified} restarts the cluster. */
    private volatile Running running;
    /** The manual weight the configuration gave last (the shell may have set another since). */
    private volatile int configuredManual;

    /**
     * One start of the cluster: its link, loop and engine, and the settings that made them (a
     * change of any of those restarts the cluster; weight settings apply live).
     */
    private record Running(ClusterLink link, ThreadEventLoop loop, ClusterEngine engine, Settings settings) {
    }

    /** The configuration that needs a restart to change: everything but the weight settings. */
    record Settings(String vip, String device, String name, long heartbeatIntervalMillis, int tolerance, Object resync) {
        static Settings of(Config config, Map<String, Object> properties) {
            return new Settings(config.vip(), config.device(), config.name(), config.heartbeat_interval_ms(),
                    config.tolerance(), properties == null ? null : properties.get(RESYNC));
        }
    }

    /** Changed by {@code ClusterAdmin.resync}: the cluster leaves and joins again. */
    static final String RESYNC = "resync.count";

    @Activate
    public ClusterComponent(Config config, Map<String, Object> properties, @Reference ModuleRegistry registry,
            @Reference(name = "link") LinkProvider links) throws IOException {
        this.registry = registry;
        this.links = links;
        try {
            this.weights = new ProcWeights(WeightMode.parse(config.weight_mode()), config.weight());
            this.configuredManual = config.weight();
            this.running = start(config, properties);
        } catch (IllegalArgumentException e) {
            // One clear line naming the cluster; SCR logs the failed activation as well.
            LOG.error("cluster {}: not started, invalid configuration: {}", describe(config, properties), e.getMessage());
            throw e;
        }
        registry.attach(this);
        running.loop().execute(running.engine()::start);
    }

    /** Opens the link and starts the loop; the engine starts once the modules are attached. */
    private Running start(Config config, Map<String, Object> properties) throws IOException {
        InetAddress vip = parseVip(config.vip());
        if (config.device() == null || config.device().isBlank()) {
            throw new IllegalArgumentException("device is required");
        }
        String name = config.name() == null || config.name().isBlank() ? null : config.name();
        ClusterConfig clusterConfig = ClusterConfig.of(name, vip, config.device(), config.heartbeat_interval_ms(),
                config.tolerance());
        ClusterLink link = links.open(new LinkSpec(config.device(), name, vip, clusterConfig.clusterMac()));
        ThreadEventLoop loop = new ThreadEventLoop("lnlb-" + link.interfaceName());
        ClusterEngine engine = new ClusterEngine(clusterConfig, link, loop, weights);
        loop.start(new ThreadEventLoop.Io() {
            @Override
            public void poll(long timeoutMillis) throws IOException {
                link.poll(engine, timeoutMillis);
            }

            @Override
            public void wakeup() {
                link.wakeup();
            }
        });
        LOG.info("cluster {} on {} ({}): started, cluster MAC {}", vip.getHostAddress(), config.device(),
                link.interfaceName(), NodeAddress.format(clusterConfig.clusterMac()));
        return new Running(link, loop, engine, Settings.of(config, properties));
    }

    /**
     * A changed configuration. Weight mode and manual weight apply at once (the next heartbeat
     * carries them); any other change (VIP, device, name, heartbeat, tolerance, a resync) makes
     * the node leave the cluster and join it again with the new settings. A change of
     * {@code link.target} never gets here: SCR re-activates the component for it.
     */
    @Modified
    void modified(Config config, Map<String, Object> properties) throws IOException {
        WeightMode mode = WeightMode.parse(config.weight_mode());
        int manual = ProcWeights.checkManual(config.weight());
        Running now = running;
        if (now == null) {
            return;
        }
        if (mode != weights.mode() || manual != configuredManual) {
            boolean news = mode != weights.mode() || (mode == WeightMode.MANUAL && manual != weights.weight());
            weights.setMode(mode);
            weights.setManual(manual);
            configuredManual = manual;
            if (news) {
                LOG.info("{}: weight mode {}, manual weight {} (from the configuration)", now.link().interfaceName(),
                        mode.spelling(), manual);
            }
        }
        Settings settings = Settings.of(config, properties);
        if (settings.equals(now.settings())) {
            return;
        }
        LOG.info("{}: configuration changed ({} -> {}): leaving and joining again", now.link().interfaceName(),
                now.settings(), settings);
        registry.detach(this);
        stop(now);
        try {
            running = start(config, properties);
        } catch (IllegalArgumentException e) {
            running = null;
            LOG.error("cluster {}: stopped, invalid configuration: {}", describe(config, properties), e.getMessage());
            throw e;
        }
        registry.attach(this);
        running.loop().execute(running.engine()::start);
    }

    /** How a log line names a cluster: its name or VIP, and the file it was declared in, if any. */
    private static String describe(Config config, Map<String, Object> properties) {
        String name = config.name() == null || config.name().isBlank() ? String.valueOf(config.vip()) : config.name();
        Object file = properties == null ? null : properties.get("felix.fileinstall.filename");
        Object pid = properties == null ? null : properties.get("service.pid");
        return name + (file != null ? " (" + file + ")" : pid != null ? " (" + pid + ")" : "");
    }

    static InetAddress parseVip(String text) {
        // Literal addresses only: InetAddress would look a name (or a bad dotted quad) up in DNS.
        if (text == null || !(text.matches("((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])")
                || text.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*"))) {
            throw new IllegalArgumentException("vip must be an IP address: " + text);
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("vip must be an IP address: " + text, e);
        }
    }

    @Deactivate
    void deactivate() {
        registry.detach(this);
        Running now = running;
        running = null;
        if (now != null) {
            stop(now);
        }
    }

    /** Leaves the cluster (LEAVE), stops the loop and closes the link. */
    private void stop(Running now) {
        try {
            call(now, e -> {
                e.stop(true);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("{}: orderly stop failed: {}", now.link().interfaceName(), e.getMessage());
        }
        now.loop().stop(CALL_TIMEOUT_MILLIS);
        try {
            now.link().close();
        } catch (IOException e) {
            LOG.warn("{}: closing the link failed: {}", now.link().interfaceName(), e.getMessage());
        }
    }

    @Override
    public void serve(int protocol, ProtocolModule module) {
        call(e -> {
            e.serve(protocol, module);
            return null;
        });
    }

    /** Runs {@code request} on the cluster's loop and waits (bounded) for its answer. */
    public <T> T call(Function<ClusterEngine, T> request) {
        Running now = running;
        if (now == null) {
            throw new IllegalStateException("the cluster is stopped");
        }
        return call(now, request);
    }

    private <T> T call(Running now, Function<ClusterEngine, T> request) {
        ThreadEventLoop loop = now.loop();
        ClusterEngine engine = now.engine();
        if (loop.inLoop()) {
            return request.apply(engine);
        }
        CompletableFuture<T> answer = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                answer.complete(request.apply(engine));
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        try {
            return answer.get(CALL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(now.link().interfaceName() + ": the cluster loop did not answer in time");
        }
    }

    public String interfaceName() {
        Running now = running;
        return now == null ? "" : now.link().interfaceName();
    }

    public ProcWeights weights() {
        return weights;
    }
}
