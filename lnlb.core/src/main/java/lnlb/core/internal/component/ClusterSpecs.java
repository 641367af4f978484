package lnlb.core.internal.component;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterSpecDTO;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.internal.engine.PortRules;
import org.osgi.service.cm.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code addif} asks for, checked and turned into a cluster configuration's properties. */
final class ClusterSpecs {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterSpecs.class);
    /** Interface names: what Linux accepts (IFNAMSIZ - 1), without the characters LDAP filters escape. */
    static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.:@-]{1,15}");
    private static final Pattern LINK_TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private ClusterSpecs() {
    }

    /** Refuses a spec that could never start, before anything is stored. */
    static void validate(ClusterSpecDTO spec) {
        if (spec == null) {
            throw new IllegalArgumentException("no cluster given");
        }
        ClusterComponent.parseVip(spec.vip);
        if (spec.device == null || !IFNAME.matcher(spec.device).matches()) {
            throw new IllegalArgumentException("device must be an interface name (1-15 of A-Z a-z 0-9 _ . : @ -): "
                    + spec.device);
        }
        if (spec.heartbeatIntervalMillis != 0 && spec.heartbeatIntervalMillis < 10) {
            throw new IllegalArgumentException("heartbeat interval must be >= 10 ms: " + spec.heartbeatIntervalMillis);
        }
        if (spec.tolerance != 0 && spec.tolerance < 2) {
            throw new IllegalArgumentException("tolerance must be >= 2: " + spec.tolerance);
        }
        if (spec.linkType != null && !LINK_TYPE.matcher(spec.linkType).matches()) {
            throw new IllegalArgumentException("not a link type: " + spec.linkType);
        }
        PortRules.parse(spec.affinity, spec.portRules);
    }

    /** The name the cluster gets: the spec's, or the first free {@code nlbN}; refused if taken or not an interface name. */
    static String name(ClusterSpecDTO spec, List<String> taken) {
        String name = spec.name == null || spec.name.isBlank() ? nextFree(taken) : spec.name;
        if (!IFNAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be an interface name (1-15 of A-Z a-z 0-9 _ . : @ -): " + name);
        }
        if (taken.contains(name)) {
            throw new IllegalArgumentException("a cluster named " + name + " exists already");
        }
        return name;
    }

    /** The configuration's properties, with the defaults the spec leaves out. */
    static Hashtable<String, Object> properties(ClusterSpecDTO spec, String name) {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(ClusterAdmin.VIP, spec.vip);
        p.put(ClusterAdmin.DEVICE, spec.device);
        p.put(ClusterAdmin.NAME, name);
        p.put(ClusterAdmin.HEARTBEAT_INTERVAL, spec.heartbeatIntervalMillis != 0 ? spec.heartbeatIntervalMillis
                : ClusterConfig.DEFAULT_INTERVAL_MILLIS);
        p.put(ClusterAdmin.TOLERANCE, spec.tolerance != 0 ? spec.tolerance : ClusterConfig.DEFAULT_TOLERANCE);
        p.put(ClusterAdmin.LINK_TARGET, linkTarget(spec));
        if (spec.affinity != null && !spec.affinity.isBlank()) {
            p.put(ClusterAdmin.AFFINITY, spec.affinity.trim());
        }
        if (spec.portRules != null && !spec.portRules.isBlank()) {
            p.put(ClusterAdmin.PORT_RULES, spec.portRules.trim());
        }
        return p;
    }

    static String linkTarget(ClusterSpecDTO spec) {
        return "(lnlb.link.type=" + (spec.linkType == null ? "linux" : spec.linkType) + ")";
    }

    /** True when a configured VIP is the same address as {@code vip} (10.0.0.1 and 10.0.0.01 are). */
    static boolean sameAddress(Object configured, String vip) {
        try {
            return ClusterComponent.parseVip(String.valueOf(configured)).equals(ClusterComponent.parseVip(vip));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String nextFree(List<String> names) {
        for (int i = 0; ; i++) {
            if (!names.contains("nlb" + i)) {
                return "nlb" + i;
            }
        }
    }

    /**
     * Writes {@code changes} into the cluster's configuration unless it holds them already, or
     * the cluster is declared in a file: the file stays the truth, and a change made here lasts
     * until the next restart.
     */
    static void save(Configuration c, String cluster, String what, Map<String, Object> changes) {
        Dictionary<String, Object> p = c.getProperties();
        if (p.get(ClusterAdminImpl.FILE) != null) {
            LOG.info("{}: {} until the runtime restarts (declared in {}: edit that file to keep it)", cluster, what,
                    p.get(ClusterAdminImpl.FILE));
            return;
        }
        boolean same = true;
        for (Map.Entry<String, Object> e : changes.entrySet()) {
            same &= String.valueOf(e.getValue()).equals(String.valueOf(p.get(e.getKey())));
            p.put(e.getKey(), e.getValue());
        }
        if (same) {
            return;
        }
        try {
            c.update(p);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(what + " is in effect but not saved, so a restart loses it: " + e, e);
        }
    }
}
