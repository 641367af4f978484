package lnlb.core.internal.component;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import lnlb.core.api.LinkProvider;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import lnlb.core.api.admin.ClusterSpecDTO;
import lnlb.core.api.admin.DigestDTO;
import lnlb.core.api.admin.ModuleDTO;
import lnlb.core.api.admin.NodeDTO;
import lnlb.core.api.admin.OwnerDTO;
import lnlb.core.api.admin.SessionCountDTO;
import lnlb.core.api.admin.SessionDTO;
import lnlb.core.api.admin.SessionQueryDTO;
import lnlb.core.api.admin.TableDTO;
import lnlb.core.internal.engine.ClusterEngine;
import lnlb.core.internal.engine.PortRules;
import lnlb.core.internal.weight.ProcWeights;
import lnlb.core.internal.weight.WeightMode;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ClusterAdmin} over the running {@link ClusterComponent}s (tracked dynamically) and their
 * ConfigAdmin factory configurations. Status goes through {@link ClusterComponent#call}, so it is
 * read on the cluster's loop with a bounded wait.
 */
@Component(service = ClusterAdmin.class)
public final class ClusterAdminImpl implements ClusterAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterAdminImpl.class);
    /** Changed by {@link #resync}: the cluster leaves and joins again ({@link ClusterComponent#modified}). */
    static final String RESYNC = ClusterComponent.RESYNC;
    /** Set by FileInstall on the configurations it made from a file: the file's URL. */
    static final String FILE = "felix.fileinstall.filename";

    private record Running(String name, String pid, String source) {
    }

    /**
     * How long {@link #create} waits for the new cluster's first start: opening a link takes
     * milliseconds; this covers a busy node where SCR's thread is slow to get to it.
     */
    static final long START_WAIT_MILLIS = 10_000;

    private final ModuleRegistry registry;
    private final ConfigurationAdmin cm;
    private final StartAttempts attempts;
    private final BundleContext context;
    private final Map<ClusterComponent, Running> clusters = new ConcurrentHashMap<>();

    @Activate
    public ClusterAdminImpl(@Reference ModuleRegistry registry, @Reference ConfigurationAdmin cm,
            @Reference StartAttempts attempts, BundleContext context) {
        this.registry = registry;
        this.cm = cm;
        this.attempts = attempts;
        this.context = context;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeCluster", updated = "updatedCluster")
    void addCluster(ClusterComponent cluster, Map<String, Object> properties) {
        Object name = properties.get(NAME);
        String clusterName = name instanceof String s && !s.isBlank() ? s : cluster.interfaceName();
        Object file = properties.get(FILE);
        clusters.put(cluster, new Running(clusterName, String.valueOf(properties.get(Constants.SERVICE_PID)),
                file == null ? "" : file.toString()));
    }

    /** A changed configuration may rename the cluster. */
    void updatedCluster(ClusterComponent cluster, Map<String, Object> properties) {
        addCluster(cluster, properties);
    }

    void removeCluster(ClusterComponent cluster) {
        clusters.remove(cluster);
    }

    // ---------------------------------------------------------------- status

    @Override
    public List<ClusterDTO> clusters() {
        List<ClusterDTO> list = new ArrayList<>();
        List<String> running = new ArrayList<>();
        clusters.forEach((component, info) -> {
            running.add(info.pid());
            ClusterDTO dto;
            try {
                dto = component.call(e -> ClusterStatus.cluster(e, info.pid(), component));
            } catch (RuntimeException e) {
                dto = ClusterStatus.down(info.name(), info.pid(), "", "", "not answering: " + e.getMessage());
            }
            dto.source = info.source();
            list.add(dto);
        });
        for (Configuration c : configurations(null)) {
            if (!running.contains(c.getPid())) {
                Dictionary<String, Object> p = c.getProperties();
                ClusterDTO dto = ClusterStatus.down(nameOf(c), c.getPid(), String.valueOf(p.get(VIP)), String.valueOf(p.get(DEVICE)),
                        "down (" + whyDown(c.getPid(), p) + ")");
                dto.source = p.get(FILE) == null ? "" : p.get(FILE).toString();
                list.add(dto);
            }
        }
        list.sort(Comparator.comparing(dto -> dto.name));
        return list;
    }

    /**
     * The failure of the cluster's last start attempt; without one, SCR never activated its
     * component: no link provider matches its {@code link.target}.
     */
    private String whyDown(String pid, Dictionary<String, Object> p) {
        return attempts.failure(pid).orElseGet(() -> "no link provider matches " + linkTarget(p));
    }

    private static String linkTarget(Dictionary<String, Object> p) {
        Object target = p.get(LINK_TARGET);
        return target == null ? ClusterComponent.DEFAULT_LINK_TARGET : target.toString();
    }

    @Override
    public List<NodeDTO> nodes(String cluster) {
        ClusterComponent c = running(cluster);
        List<NodeDTO> nodes = c.call(e -> ClusterStatus.nodes(e, c));
        // Sessions per owner, counted in bounded slices like a listing: walking a million-entry
        // table in one loop turn would stall the loop for every `nodes` and metrics scrape.
        SessionQueryDTO all = new SessionQueryDTO();
        all.limit = 0;
        Map<String, Long> perOwner = SessionInspection.sessions(c::call, all, session -> { }).perOwner;
        for (NodeDTO node : nodes) {
            node.sessions = perOwner.getOrDefault(node.mac, 0L);
        }
        return nodes;
    }

    @Override
    public Map<String, Long> counters(String cluster) {
        Map<String, Long> counters = running(cluster).allCounters();
        JvmCounters.addTo(counters);
        return counters;
    }

    @Override
    public List<TableDTO> tables(String cluster) {
        return call(cluster, ClusterStatus::tables);
    }

    @Override
    public SessionCountDTO sessions(String cluster, SessionQueryDTO query, Consumer<SessionDTO> sink) {
        ClusterComponent c = running(cluster);
        return SessionInspection.sessions(c::call, query == null ? new SessionQueryDTO() : query, sink);
    }

    @Override
    public OwnerDTO owner(String cluster, String client, int port, String protocol) {
        return call(cluster, e -> SessionInspection.owner(e, client, port, protocol));
    }

    @Override
    public DigestDTO digest(String cluster) {
        ClusterComponent c = running(cluster);
        return SessionInspection.digest(c::call);
    }

    @Override
    public List<ModuleDTO> modules() {
        List<ModuleDTO> list = new ArrayList<>();
        for (ModuleInfo info : registry.modules()) {
            ModuleDTO dto = new ModuleDTO();
            dto.protocol = info.protocol();
            dto.ranking = info.ranking();
            dto.serviceId = info.serviceId();
            dto.type = info.module().getClass().getName();
            Bundle bundle = FrameworkUtil.getBundle(info.module().getClass());
            dto.bundle = bundle == null ? "" : bundle.getSymbolicName();
            dto.version = bundle == null ? "" : bundle.getVersion().toString();
            if (info.problem() != null) {
                dto.status = ModuleDTO.REJECTED;
                dto.reason = info.problem();
            } else if (registry.serving(info.protocol()) == info.module()) {
                dto.status = ModuleDTO.SERVING;
                dto.reason = "";
            } else {
                dto.status = ModuleDTO.SHADOWED;
                dto.reason = "shadowed by a higher-ranked module";
            }
            list.add(dto);
        }
        return list;
    }

    // ---------------------------------------------------------------- weights

    // The change applies at once (the command's answer is true when it returns) and is then saved
    // in the cluster's configuration, so that a restart keeps it; ClusterComponent#modified finds
    // the saved values already in effect. A configuration that cannot be saved (a read-only file
    // under FileInstall) makes the call fail with the change in effect until the next restart.

    @Override
    public void weightMode(String cluster, String mode) {
        WeightMode parsed = WeightMode.parse(mode == null ? "" : mode);
        ClusterComponent c = running(cluster);
        c.weights().setMode(parsed);
        LOG.info("{}: weight mode {}", cluster, parsed.spelling());
        save(cluster, "weight mode " + parsed.spelling(), Map.of(WEIGHT_MODE, parsed.spelling()));
    }

    @Override
    public void weight(String cluster, int weight) {
        ProcWeights.checkManual(weight);
        ClusterComponent c = running(cluster);
        if (c.weights().mode() != WeightMode.MANUAL) {
            throw new IllegalArgumentException(cluster + " is in weight mode " + c.weights().mode().spelling()
                    + "; set weight mode manual first");
        }
        c.weights().setManual(weight);
        LOG.info("{}: manual weight {}", cluster, weight);
        save(cluster, "weight " + weight, Map.of(WEIGHT_MODE, WeightMode.MANUAL.spelling(), WEIGHT, weight));
    }

    @Override
    public void rules(String cluster, String affinity, String portRules) {
        PortRules rules = PortRules.parse(affinity, portRules);
        String text = rules.text();
        running(cluster).call(e -> {
            e.rules(rules);
            return null;
        });
        save(cluster, "port rules " + text, Map.of(AFFINITY, affinity == null || affinity.isBlank() ? "source"
                : affinity.trim(), PORT_RULES, portRules == null ? "" : portRules.trim()));
    }

    @Override
    public void drain(String cluster, boolean leave, long timeoutSeconds) {
        if (timeoutSeconds < 0) {
            throw new IllegalArgumentException("timeout must be >= 0 s: " + timeoutSeconds);
        }
        running(cluster).call(e -> {
            e.drain(true, leave, timeoutSeconds * 1000);
            return null;
        });
    }

    @Override
    public void undrain(String cluster) {
        running(cluster).call(e -> {
            e.drain(false);
            return null;
        });
    }

    private void save(String cluster, String what, Map<String, Object> changes) {
        ClusterSpecs.save(configuration(cluster), cluster, what, changes);
    }

    // ---------------------------------------------------------------- configuration

    @Override
    public String create(ClusterSpecDTO spec) {
        ClusterSpecs.validate(spec);
        String name;
        Configuration configuration;
        CompletableFuture<StartAttempts.Outcome> outcome = null;
        synchronized (this) {
            List<String> names = new ArrayList<>();
            for (Configuration c : configurations(null)) {
                names.add(nameOf(c));
                Dictionary<String, Object> p = c.getProperties();
                if (spec.device.equals(p.get(DEVICE)) && ClusterSpecs.sameAddress(p.get(VIP), spec.vip)) {
                    throw new IllegalArgumentException(nameOf(c) + " already balances " + spec.vip + " on " + spec.device);
                }
            }
            clusters.values().forEach(r -> names.add(r.name()));
            name = ClusterSpecs.name(spec, names);
            String target = ClusterSpecs.linkTarget(spec);
            // Refused before anything is stored: without its provider the cluster could only wait, down.
            if (!linkProviderMatches(target)) {
                throw new IllegalArgumentException("no link provider matches " + target
                        + (target.equals(ClusterComponent.DEFAULT_LINK_TARGET) ? " (lnlb.tap is not active: the log says why)" : ""));
            }
            try {
                configuration = cm.getFactoryConfiguration(CLUSTER_PID, name, "?");
                outcome = attempts.next(configuration.getPid());
                configuration.update(ClusterSpecs.properties(spec, name));
            } catch (IOException e) {
                attempts.cancel(CLUSTER_PID + "~" + name, outcome);
                throw new IllegalStateException("cannot store the configuration of " + name + ": " + e.getMessage(), e);
            }
            LOG.info("cluster {}: configured {} on {}", name, spec.vip, spec.device);
        }
        String failure = attempts.awaitFirst(name, configuration.getPid(), outcome, START_WAIT_MILLIS);
        if (failure != null) {
            // nothing is left half-made: no configuration, no cluster down
            try {
                configuration.delete();
            } catch (IOException | IllegalStateException e) {
                LOG.warn("cluster {}: could not remove the configuration of the cluster that did not start: {}", name,
                        e.getMessage());
            }
            LOG.info("cluster {}: not created: {}", name, failure);
            throw new IllegalArgumentException(failure);
        }
        return name;
    }

    private boolean linkProviderMatches(String target) {
        try {
            return !context.getServiceReferences(LinkProvider.class, target).isEmpty();
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("not a link filter: " + target, e);
        }
    }

    @Override
    public void delete(String cluster) {
        Configuration c = configuration(cluster);
        Object file = c.getProperties() == null ? null : c.getProperties().get(FILE);
        if (file != null) {
            throw new IllegalArgumentException(cluster + " is declared in " + file + ": remove that file to delete it");
        }
        try {
            c.delete();
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete the configuration of " + cluster + ": " + e.getMessage(), e);
        }
        LOG.info("cluster {}: configuration deleted", cluster);
    }

    @Override
    public void resync(String cluster) {
        // A cluster that is down (its device was missing, say) tries to start again.
        Configuration c = configuration(cluster);
        Dictionary<String, Object> p = c.getProperties();
        Object count = p.get(RESYNC);
        p.put(RESYNC, count instanceof Long n ? n + 1 : 1L);
        try {
            // ClusterComponent#modified restarts the cluster for it: LEAVE, then JOIN with module
            // states from the others.
            c.update(p);
        } catch (IOException e) {
            throw new IllegalStateException("cannot update the configuration of " + cluster + ": " + e.getMessage(), e);
        }
        LOG.info("cluster {}: resync (leaving and joining again)", cluster);
    }

    // ---------------------------------------------------------------- helpers

    private <T> T call(String cluster, Function<ClusterEngine, T> request) {
        return running(cluster).call(request);
    }

    private ClusterComponent running(String cluster) {
        for (Map.Entry<ClusterComponent, Running> e : clusters.entrySet()) {
            if (e.getValue().name().equals(cluster)) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("no cluster " + cluster + " is running");
    }

    private Configuration configuration(String cluster) {
        if (cluster != null && ClusterSpecs.IFNAME.matcher(cluster).matches()) {
            for (Configuration c : configurations(cluster)) {
                return c;
            }
            for (Configuration c : configurations(null)) {
                if (c.getPid().equals(CLUSTER_PID + "~" + cluster) && (c.getProperties() == null
                        || c.getProperties().get(NAME) == null || "".equals(c.getProperties().get(NAME)))) {
                    return c;
                }
            }
        }
        for (Map.Entry<ClusterComponent, Running> e : clusters.entrySet()) {
            if (e.getValue().name().equals(cluster)) {
                for (Configuration c : configurations(null)) {
                    if (c.getPid().equals(e.getValue().pid())) {
                        return c;
                    }
                }
            }
        }
        throw new IllegalArgumentException("no cluster " + cluster + " is configured");
    }

    /** The cluster configurations, all or those with {@code name}. */
    private List<Configuration> configurations(String name) {
        String filter = "(" + ConfigurationAdmin.SERVICE_FACTORYPID + "=" + CLUSTER_PID + ")";
        if (name != null) {
            filter = "(&" + filter + "(" + NAME + "=" + name + "))";
        }
        try {
            Configuration[] found = cm.listConfigurations(filter);
            return found == null ? List.of() : List.of(found);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("cannot list the configurations: " + e.getMessage(), e);
        }
    }

    private String nameOf(Configuration c) {
        Object name = c.getProperties() == null ? null : c.getProperties().get(NAME);
        if (name instanceof String s && !s.isBlank()) {
            return s;
        }
        for (Running r : clusters.values()) {
            if (r.pid().equals(c.getPid())) {
                return r.name();
            }
        }
        // A named factory configuration (addif, FileInstall's lnlb.cluster-NAME.cfg) is named after its alias.
        String alias = c.getPid().startsWith(CLUSTER_PID + "~") ? c.getPid().substring(CLUSTER_PID.length() + 1) : "";
        return ClusterSpecs.IFNAME.matcher(alias).matches() ? alias : c.getPid();
    }
}
