package lnlb.core.internal.component;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
        configurationPolicy = ConfigurationPolicy.REQUIRE)
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
    private final ClusterLink link;
    private final ThreadEventLoop loop;
    private final ClusterEngine engine;
    private final ProcWeights weights;

    @Activate
    public ClusterComponent(Config config, @Reference ModuleRegistry registry, @Reference(name = "link") LinkProvider links)
            throws IOException {
        InetAddress vip = parseVip(config.vip());
        if (config.device() == null || config.device().isBlank()) {
            throw new IllegalArgumentException("device is required");
        }
        String name = config.name() == null || config.name().isBlank() ? null : config.name();
        ClusterConfig clusterConfig = ClusterConfig.of(name, vip, config.device(), config.heartbeat_interval_ms(),
                config.tolerance());
        this.weights = new ProcWeights(WeightMode.parse(config.weight_mode()), config.weight());
        this.registry = registry;
        this.link = links.open(new LinkSpec(config.device(), name, vip, clusterConfig.clusterMac()));
        this.loop = new ThreadEventLoop("lnlb-" + link.interfaceName());
        this.engine = new ClusterEngine(clusterConfig, link, loop, weights);
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
        registry.attach(this);
        loop.execute(engine::start);
        LOG.info("cluster {} on {} ({}): started, cluster MAC {}", vip.getHostAddress(), config.device(),
                link.interfaceName(), NodeAddress.format(clusterConfig.clusterMac()));
    }

    static InetAddress parseVip(String text) {
        if (text == null || !text.matches("[0-9a-fA-F:.]+")) {
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
        try {
            call(e -> {
                e.stop(true);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("{}: orderly stop failed: {}", link.interfaceName(), e.getMessage());
        }
        loop.stop(CALL_TIMEOUT_MILLIS);
        try {
            link.close();
        } catch (IOException e) {
            LOG.warn("{}: closing the link failed: {}", link.interfaceName(), e.getMessage());
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
            throw new IllegalStateException(link.interfaceName() + ": the cluster loop did not answer in time");
        }
    }

    public String interfaceName() {
        return link.interfaceName();
    }

    public ProcWeights weights() {
        return weights;
    }
}
