package lnlb.core.internal.component;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.function.Function;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.LinkProvider;
import lnlb.core.api.LinkSpec;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.ClusterCounters;
import lnlb.core.api.run.ClusterInfo;
import lnlb.core.api.run.ClusterRunner;
import lnlb.core.api.run.ClusterView;
import lnlb.core.api.run.NodeState;
import lnlb.core.internal.engine.ClusterEngine;
import lnlb.core.internal.engine.PortRules;
import lnlb.core.internal.run.Runner;
import lnlb.core.internal.weight.ProcWeights;
import lnlb.core.internal.weight.WeightMode;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One cluster per factory configuration ({@code lnlb.cluster}): opens its link, runs it with
 * {@link ClusterRunner} (its own loop thread), and keeps the engine's module table in step with the
 * whiteboard. While the cluster runs, the component is registered as a {@link ClusterInfo} service.
 *
 * <p>A changed configuration keeps the component: weight mode and weight apply at once, anything
 * else makes the node leave the cluster and join it again ({@link #modified}). A configuration it
 * refuses (or a link that cannot open) leaves the cluster down with one ERROR line until the
 * configuration changes again.
 */
@Designate(ocd = ClusterMetatype.class, factory = true)
// Immediate: a configured cluster runs without anyone asking for it (a node without a console).
// No DS service: the component registers itself while its cluster runs (see register), so that
// ClusterAdmin sees running clusters only, and a down one from its configuration.
@Component(service = {}, configurationPid = ClusterComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true)
public final class ClusterComponent implements ModuleRegistry.Listener, ClusterInfo {
    /** The Linux link, unless a cluster's {@code link.target} names another provider. */
    static final String DEFAULT_LINK_TARGET = "(lnlb.link.type=linux)";

    public static final String PID = "lnlb.cluster";
    private static final Logger LOG = LoggerFactory.getLogger(ClusterComponent.class);

    private final ModuleRegistry registry;
    private final LinkProvider links;
    private final BundleContext context;
    private final ProcWeights weights;
    private final StartAttempts attempts;
    /** The PID of this cluster's configuration: how {@link StartAttempts} knows it. */
    private final String pid;
    /** What runs now: replaced as a whole when {@link #modified} restarts the cluster. */
    private volatile Running running;
    private volatile ServiceRegistration<ClusterComponent> registration;
    /** The manual weight the configuration gave last (the shell may have set another since). */
    private volatile int configuredManual;

    /**
     * One start of the cluster (its link, loop and engine), and the settings that made it (a
     * change of any of those restarts the cluster; weight settings apply live).
     */
    private record Running(Runner cluster, ClusterSettings settings) {
        ClusterLink link() {
            return cluster.link();
        }
    }

    /** Changed by {@code ClusterAdmin.resync}: the cluster leaves and joins again. */
    static final String RESYNC = "resync.count";

    @Activate
    public ClusterComponent(ClusterMetatype config, Map<String, Object> properties, BundleContext context,
            @Reference ModuleRegistry registry, @Reference(name = "link") LinkProvider links,
            @Reference StartAttempts attempts) {
        this.registry = registry;
        this.links = links;
        this.context = context;
        this.attempts = attempts;
        this.pid = pidOf(properties);
        this.weights = new ProcWeights(WeightMode.EQUAL, 1);
        // A wrong configuration is not thrown to SCR (STYLE 2.4 would): SCR never calls @Modified
        // on a component whose activation failed, so the cluster would stay down after its file is
        // fixed. Instead it is one clear line, the cluster stays down (no service: ClusterAdmin
        // lists it as down) and the next change of the configuration tries again.
        startReporting(config, properties);
    }

    /**
     * Starts the cluster and serves it, and tells {@link StartAttempts} how that went: a wrong
     * configuration or a link that cannot open is one log line and a cluster down, not an error.
     */
    private void startReporting(ClusterMetatype config, Map<String, Object> properties) {
        try {
            applyWeights(config);
            running = start(config, properties);
        } catch (IllegalArgumentException | IOException e) {
            unregister();
            LOG.error("cluster {} not started: {}", describe(config, properties), e.getMessage());
            attempts.failed(pid, e.getMessage());
            return;
        } catch (RuntimeException e) {
            unregister();
            attempts.failed(pid, e.toString());
            throw e;
        }
        registry.attach(this);
        running.cluster().start();
        register(properties);
        attempts.started(pid);
    }

    /** Takes the affinity and port rules from the configuration when they changed (a view change follows). */
    private static void applyRules(Running now, ClusterMetatype config, String name) {
        String wanted = PortRules.parse(config.affinity(), config.port_rules()).text();
        if (!wanted.equals(now.cluster().ownRules())) {
            now.cluster().rules(config.affinity(), config.port_rules());
            LOG.info("{}: port rules {} (from the configuration)", name, wanted);
        }
    }

    /** Takes weight mode and manual weight from the configuration; true when that changed what this node sends. */
    private boolean applyWeights(ClusterMetatype config) {
        WeightMode mode = WeightMode.parse(config.weight_mode());
        int manual = ProcWeights.checkManual(config.weight());
        String source = blankToNull(config.weight_source());
        weights.setSource(source == null ? null : Path.of(source));
        if (mode == weights.mode() && manual == configuredManual) {
            return false;
        }
        boolean news = mode != weights.mode() || (mode == WeightMode.MANUAL && manual != weights.weight());
        weights.setMode(mode);
        weights.setManual(manual);
        configuredManual = manual;
        return news;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    /** The configuration's public properties, as a service registered by DS would carry them, less the keys. */
    private static Dictionary<String, Object> serviceProperties(Map<String, Object> properties) {
        Hashtable<String, Object> p = new Hashtable<>();
        if (properties != null) {
            properties.forEach((key, value) -> {
                if (!key.startsWith(".") && !ClusterSettings.SECRETS.contains(key) && value != null) {
                    p.put(key, value);
                }
            });
        }
        return p;
    }

    /** Opens the link and starts the loop; the engine starts once the modules are attached. */
    private Running start(ClusterMetatype config, Map<String, Object> properties) throws IOException {
        InetAddress vip = parseVip(config.vip());
        if (config.device() == null || config.device().isBlank()) {
            throw new IllegalArgumentException("device is required");
        }
        String name = name(config, properties);
        ClusterConfig clusterConfig = ClusterConfig.of(name, vip, config.device(), config.heartbeat_interval_ms(),
                config.tolerance()).withSwapGrace(config.swap_grace_ms()).withQuorum(config.quorum())
                .withWeightChangeInterval(config.weight_change_interval_ms())
                .withRules(config.affinity(), config.port_rules());
        String key = blankToNull(config.key());
        String previousKey = blankToNull(config.previous_key());
        if (key != null || previousKey != null) {
            clusterConfig = clusterConfig.withKeys(key, previousKey, config.previous_key_valid());
        }
        ClusterLink link = links.open(new LinkSpec(config.device(), name, vip, clusterConfig.clusterMac()));
        // The builder's runner: this component may reach into its engine (status, the shell).
        Runner cluster = (Runner) ClusterRunner.of(clusterConfig, link).weights(weights::weight).build();
        LOG.info("cluster {} on {} ({}): started, cluster MAC {}", vip.getHostAddress(), config.device(),
                link.interfaceName(), NodeAddress.format(clusterConfig.clusterMac()));
        return new Running(cluster, ClusterSettings.of(properties));
    }

    /**
     * A changed configuration. Weight mode and manual weight apply at once (the next heartbeat
     * carries them); any other change (VIP, device, name, heartbeat, tolerance, a resync) makes
     * the node leave the cluster and join it again with the new settings. A change of
     * {@code link.target} never gets here: SCR re-activates the component for it.
     */
    @Modified
    void modified(ClusterMetatype config, Map<String, Object> properties) {
        Running now = running;
        String name = now == null ? describe(config, properties) : now.link().interfaceName();
        if (now != null) {
            try {
                if (applyWeights(config)) {
                    LOG.info("{}: weight mode {}, manual weight {} (from the configuration)", name, config.weight_mode(),
                            config.weight());
                }
            } catch (IllegalArgumentException e) {
                LOG.error("cluster {}: {}; its weight is unchanged", describe(config, properties), e.getMessage());
                return;
            }
            try {
                applyRules(now, config, name);
            } catch (IllegalArgumentException e) {
                LOG.error("cluster {}: {}; its port rules are unchanged", describe(config, properties), e.getMessage());
                return;
            }
        }
        ClusterSettings settings = ClusterSettings.of(properties);
        if (now != null && settings.equals(now.settings())) {
            register(properties);
            return;
        }
        if (now != null) {
            LOG.info("{}: configuration changed ({}): leaving and joining again", name, settings.changedFrom(now.settings()));
            registry.detach(this);
            running = null;
            stop(now);
        }
        startReporting(config, properties);
    }

    @SuppressWarnings("unchecked")
    private void register(Map<String, Object> properties) {
        ServiceRegistration<ClusterComponent> reg = registration;
        if (reg == null) {
            registration = (ServiceRegistration<ClusterComponent>) context.registerService(
                    new String[] {ClusterComponent.class.getName(), ClusterInfo.class.getName()}, this,
                    serviceProperties(properties));
        } else {
            reg.setProperties(serviceProperties(properties));
        }
    }

    private void unregister() {
        ServiceRegistration<ClusterComponent> reg = registration;
        registration = null;
        if (reg != null) {
            try {
                reg.unregister();
            } catch (IllegalStateException e) {
                // the bundle stopped first: already gone
            }
        }
    }

    /**
     * The cluster's name: {@code name}, else the name of its named factory configuration
     * ({@code lnlb.cluster~nlb0}: what {@code addif} and FileInstall's {@code lnlb.cluster-nlb0.cfg}
     * make), else none (the link picks the next free one).
     */
    static String name(ClusterMetatype config, Map<String, Object> properties) {
        if (config.name() != null && !config.name().isBlank()) {
            return config.name();
        }
        Object pid = properties == null ? null : properties.get("service.pid");
        if (pid instanceof String p && p.startsWith(PID + "~")) {
            String alias = p.substring(PID.length() + 1);
            if (alias.matches("[A-Za-z0-9_.:@-]{1,15}")) {
                return alias;
            }
        }
        return null;
    }

    private static String pidOf(Map<String, Object> properties) {
        Object value = properties == null ? null : properties.get("service.pid");
        return value instanceof String p ? p : null;
    }

    /** How a log line names a cluster: its name or VIP, and the file it was declared in, if any. */
    private static String describe(ClusterMetatype config, Map<String, Object> properties) {
        String name = name(config, properties);
        name = name == null ? String.valueOf(config.vip()) : name;
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
        attempts.forget(pid);
        unregister();
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
            now.cluster().leave();
        } catch (RuntimeException e) {
            LOG.warn("{}: orderly stop failed: {}", now.link().interfaceName(), e.getMessage());
        }
        try {
            now.cluster().close();
        } catch (IOException e) {
            LOG.warn("{}: closing the link failed: {}", now.link().interfaceName(), e.getMessage());
        }
    }

    @Override
    public void serve(int protocol, ProtocolModule module) {
        Running now = running;
        if (now == null) {
            throw new IllegalStateException("the cluster is stopped");
        }
        now.cluster().serve(protocol, module);
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
        ClusterEngine engine = now.cluster().engine();
        return now.cluster().call(() -> request.apply(engine));
    }

    /** Every counter of the running cluster (engine, wire, link, loop), read on its loop, for lnlb:stats. */
    public Map<String, Long> allCounters() {
        Running now = running;
        if (now == null) {
            throw new IllegalStateException("the cluster is stopped");
        }
        return call(now, e -> ClusterStatus.counters(e, now.link(), now.cluster().stalls()));
    }

    @Override
    public String interfaceName() {
        Running now = running;
        return now == null ? "" : now.link().interfaceName();
    }

    public ProcWeights weights() {
        return weights;
    }

    @Override
    public long localNode() {
        return call(ClusterEngine::localNode);
    }

    @Override
    public NodeState state() {
        return call(e -> Runner.state(e.state()));
    }

    @Override
    public ClusterView view() {
        return call(e -> Runner.snapshot(e.view()));
    }

    @Override
    public long coordinator() {
        return call(ClusterEngine::coordinator);
    }

    @Override
    public ClusterCounters counters() {
        return call(Runner::counters);
    }
}
