package lnlb.core.internal.component;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import lnlb.core.api.Cluster;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.ModuleStatus;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.admin.ClusterDTO;
import lnlb.core.api.admin.NodeDTO;
import lnlb.core.api.admin.TableDTO;
import lnlb.core.internal.engine.ClusterEngine;
import lnlb.core.internal.engine.View;
import lnlb.core.internal.loop.StallMeter;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/** Snapshots of one engine as DTOs. Every method runs on the cluster's loop (through {@code call}). */
final class ClusterStatus {
    private ClusterStatus() {
    }

    static ClusterDTO cluster(ClusterEngine e, String pid, ClusterComponent c) {
        ClusterDTO dto = new ClusterDTO();
        dto.name = e.name();
        dto.pid = pid;
        dto.vip = e.vip().getHostAddress();
        dto.device = e.device();
        dto.clusterMac = NodeAddress.format(e.clusterMac());
        dto.localNode = NodeAddress.format(e.localNode());
        dto.state = e.state().name().toLowerCase(Locale.ROOT);
        dto.epoch = e.view().epoch();
        dto.members = e.view().size();
        long coordinator = e.coordinator();
        dto.coordinator = coordinator == NodeAddress.NONE ? "" : NodeAddress.format(coordinator);
        dto.weightMode = c.weights().mode().spelling();
        dto.weight = c.weights().current();
        dto.heartbeatIntervalMillis = e.config().heartbeatIntervalMillis();
        dto.tolerance = e.config().tolerance();
        dto.source = "";
        dto.rules = e.view().rules().text();
        dto.rulesDigest = e.view().rules().digestText();
        dto.ownRules = e.ownRules().text();
        String refusal = e.refusal();
        dto.refusal = refusal == null ? "" : refusal;
        dto.draining = e.draining();
        return dto;
    }

    /** How long a node out of the view and no longer heard stays listed, as {@code gone}. */
    static final long GONE_LISTED_MILLIS = 5 * 60_000;

    /**
     * Another node's state as {@code nodes} shows it, from its place in the view and how long ago it
     * was last heard ({@code Long.MAX_VALUE}: never); null when it is no longer worth a line.
     */
    static String peerState(boolean inView, boolean draining, long age, long deadAfter) {
        if (inView) {
            return age > deadAfter ? "silent" : draining ? "draining" : "member";
        }
        if (age <= deadAfter) {
            return "joining";
        }
        // left or died, out of the view: shown a while so an operator sees which node went
        return age <= GONE_LISTED_MILLIS ? "gone" : null;
    }

    static List<NodeDTO> nodes(ClusterEngine e, ClusterComponent c) {
        View view = e.view();
        long self = e.localNode();
        long coordinator = e.coordinator();
        long deadAfter = e.config().deadAfterMillis();
        Map<Long, Long> ages = new TreeMap<>(e.peerAges());
        ages.put(self, 0L);
        for (long member : view.members()) {
            ages.putIfAbsent(member, Long.MAX_VALUE);
        }
        List<NodeDTO> nodes = new ArrayList<>();
        ages.forEach((node, age) -> {
            NodeDTO dto = new NodeDTO();
            dto.mac = NodeAddress.format(node);
            dto.inView = view.contains(node);
            dto.weight = view.weightOf(node);
            dto.share = 100 * view.table().share(node);
            dto.self = node == self;
            dto.coordinator = node == coordinator;
            dto.lastHeardMillis = age == Long.MAX_VALUE ? -1 : age;
            dto.draining = view.isDraining(node);
            if (dto.self) {
                dto.state = e.state().name().toLowerCase(Locale.ROOT);
                if (!dto.inView) {
                    dto.weight = Math.max(1, c.weights().current());
                } else if (dto.draining) {
                    dto.state = "draining";
                }
            } else {
                dto.state = peerState(dto.inView, dto.draining, age, deadAfter);
                if (dto.state == null) {
                    return; // long gone: the list is of the cluster, not its history
                }
            }
            nodes.add(dto);
        });
        return nodes;
    }

    /**
     * Every counter of one cluster: the engine's, its decisions per protocol, the wire's
     * ({@code wire.*}: what the reassembler and the authenticator did with cluster frames), the
     * link's ({@code link.*}) and the loop's stalls ({@code loop.*}).
     */
    static Map<String, Long> counters(ClusterEngine e, ClusterLink link, StallMeter stalls) {
        Map<String, Long> counters = e.counters().asMap();
        long[] perProtocol = e.counters().decisionsPerProtocol;
        for (int p = 0; p < perProtocol.length; p++) {
            if (perProtocol[p] != 0) {
                counters.put("decisions.protocol." + p, perProtocol[p]);
            }
        }
        CounterNames.addGroup(counters, "wire", e.wireCounters().snapshot());
        CounterNames.addGroup(counters, "link", link.countersByName());
        counters.put("loop.stalls", stalls.stalls());
        counters.put("loop.stall.max.ms", stalls.maxLateMillis());
        counters.put("loop.stall.last.ms", stalls.lastStallMillis());
        counters.put("loop.stall.threshold.ms", stalls.thresholdMillis());
        addTables(counters, e);
        return counters;
    }

    /**
     * The tables of the modules that report them ({@link ModuleStatus}), named by the first protocol
     * a module serves: {@code table.protocol.6.connections.entries}, {@code .max} (its bound) and
     * {@code .evictions} (live entries evicted at the bound): what a flood of new sessions did.
     */
    private static void addTables(Map<String, Long> counters, ClusterEngine e) {
        Set<ProtocolModule> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int p = 0; p < 256; p++) {
            ProtocolModule m = e.module(p);
            if (m instanceof ModuleStatus status && seen.add(m)) {
                List<ModuleStatus.TableStatus> tables;
                try {
                    tables = status.tableStatus(e);
                } catch (RuntimeException failed) {
                    continue; // a module's report is optional: its tables go unshown
                }
                for (ModuleStatus.TableStatus t : tables) {
                    String prefix = "table.protocol." + p + "." + t.name() + ".";
                    counters.put(prefix + "entries", (long) t.entries());
                    counters.put(prefix + "max", (long) t.maxEntries());
                    counters.put(prefix + "evictions", t.evictions());
                }
            }
        }
    }

    static List<TableDTO> tables(ClusterEngine e) {
        Map<ProtocolModule, List<Integer>> served = new IdentityHashMap<>();
        List<ProtocolModule> order = new ArrayList<>();
        for (int p = 0; p < 256; p++) {
            ProtocolModule m = e.module(p);
            if (m != null) {
                if (!served.containsKey(m)) {
                    order.add(m);
                }
                served.computeIfAbsent(m, k -> new ArrayList<>()).add(p);
            }
        }
        List<TableDTO> tables = new ArrayList<>();
        for (ProtocolModule m : order) {
            TableDTO dto = new TableDTO();
            dto.protocols = served.get(m).stream().mapToInt(Integer::intValue).toArray();
            dto.type = m.getClass().getName();
            dto.bundle = bundleName(m.getClass());
            dto.entries = entries(m, e);
            tables.add(dto);
        }
        return tables;
    }

    /**
     * A module's table size, when it implements the optional {@link ModuleStatus} (not part of
     * ProtocolModule: adding a method there would be a major version for every module).
     */
    private static int entries(ProtocolModule m, Cluster cluster) {
        if (m instanceof ModuleStatus status) {
            try {
                return status.entries(cluster);
            } catch (RuntimeException e) {
                // failed: unknown
            }
        }
        return -1;
    }

    static String bundleName(Class<?> type) {
        Bundle bundle = FrameworkUtil.getBundle(type);
        return bundle == null ? "" : bundle.getSymbolicName();
    }

    /** A cluster that is configured but not running: what its configuration says, and why. */
    static ClusterDTO down(String name, String pid, String vip, String device, String state) {
        ClusterDTO dto = new ClusterDTO();
        dto.name = name;
        dto.pid = pid;
        dto.vip = vip;
        dto.device = device;
        dto.clusterMac = "";
        dto.localNode = "";
        dto.coordinator = "";
        dto.rules = "";
        dto.rulesDigest = "";
        dto.ownRules = "";
        dto.refusal = "";
        dto.weightMode = "";
        dto.source = "";
        dto.state = state;
        return dto;
    }
}
