package lnlb.shell.internal.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import lnlb.core.api.admin.ClusterAdmin;
import lnlb.core.api.admin.ClusterDTO;
import lnlb.core.api.admin.NodeDTO;
import lnlb.core.api.admin.TableDTO;

/**
 * What {@code lnlb:stats} and {@code lnlb:nodes} show, as metric families: per cluster the view
 * (up, state, epoch, members, this node's weight), per node of the view (weight, share, state,
 * coordinator, last heard), every counter of stats (labels {@code cluster} and {@code node}, this
 * node's MAC in the cluster; decisions also by {@code protocol}), each module's session count, and
 * the JVM's (no cluster label: one per process).
 */
public final class StatsMetrics {
    /** Every state a cluster's line in nodes may show (a configured cluster that is not running: down). */
    static final List<String> CLUSTER_STATES = List.of("joining", "syncing", "observer", "member", "stopped", "down");
    /** Every state a node's row in nodes may show: a peer's (member, silent, joining) or this node's. */
    static final List<String> NODE_STATES = List.of("joining", "syncing", "observer", "member", "draining", "silent", "gone", "stopped");

    private final Map<String, MetricFamily> families = new LinkedHashMap<>();
    private Map<String, Long> jvm = Map.of();

    private StatsMetrics() {
    }

    /** The metrics of every configured cluster, or only of {@code cluster} when it is not null. */
    public static List<MetricFamily> collect(ClusterAdmin admin, String cluster) {
        StatsMetrics m = new StatsMetrics();
        boolean found = false;
        for (ClusterDTO c : admin.clusters()) {
            if (cluster == null || c.name.equals(cluster)) {
                m.cluster(admin, c);
                found = true;
            }
        }
        if (cluster != null && !found) {
            throw new IllegalArgumentException("no cluster " + cluster);
        }
        m.jvm.forEach((name, value) -> m.counter(name, value));
        return new ArrayList<>(m.families.values());
    }

    private void cluster(ClusterAdmin admin, ClusterDTO c) {
        boolean up = !c.clusterMac.isEmpty();
        gauge("lnlb_cluster_up", "1 when the cluster runs on this node, 0 when it is configured but down.")
                .add(up ? 1 : 0, "cluster", c.name);
        String state = up ? c.state : "down";
        MetricFamily states = gauge("lnlb_cluster_state", "This node's state in the cluster (1 for the current one).");
        for (String s : CLUSTER_STATES) {
            states.add(s.equals(state) ? 1 : 0, "cluster", c.name, "state", s);
        }
        if (!up) {
            return;
        }
        String[] here = {"cluster", c.name, "node", c.localNode};
        gauge("lnlb_cluster_info", "The cluster's settings on this node (value 1).")
                .add(1, "cluster", c.name, "node", c.localNode, "vip", c.vip, "device", c.device,
                        "cluster_mac", c.clusterMac, "weight_mode", c.weightMode);
        gauge("lnlb_view_epoch", "The epoch of the current view (0 before the first).").add(c.epoch, here);
        gauge("lnlb_view_members", "Nodes in the current view.").add(c.members, here);
        gauge("lnlb_weight", "This node's weight now (higher = busier), as it announces it.").add(c.weight, here);
        gauge("lnlb_heartbeat_interval_seconds", "Time between heartbeats.", "seconds")
                .add(c.heartbeatIntervalMillis / 1000.0, here);
        gauge("lnlb_tolerance_heartbeats", "Heartbeats a node may miss before it is declared dead.")
                .add(c.tolerance, here);
        for (NodeDTO n : admin.nodes(c.name)) {
            node(c.name, n);
        }
        Map<String, Long> counters = admin.counters(c.name);
        counters.forEach((name, value) -> {
            if (name.startsWith("jvm.")) {
                return;   // the process's, not the cluster's: once, without labels
            }
            if (name.startsWith("decisions.protocol.")) {
                counter("lnlb_decisions", "Datagrams decided, by IP protocol (only protocols seen).")
                        .add(value, "cluster", c.name, "node", c.localNode, "protocol", name.substring(19));
                return;
            }
            counter(name, value, here);
        });
        Map<String, Long> jvmNow = new LinkedHashMap<>();
        counters.forEach((name, value) -> {
            if (name.startsWith("jvm.")) {
                jvmNow.put(name, value);
            }
        });
        jvm = jvmNow;
        for (TableDTO t : admin.tables(c.name)) {
            if (t.entries >= 0 && t.protocols.length > 0) {
                gauge("lnlb_module_sessions", "Sessions a protocol module tracks for the cluster (protocol: its first).")
                        .add(t.entries, "cluster", c.name, "node", c.localNode, "protocol", Integer.toString(t.protocols[0]),
                                "module", t.bundle);
            }
        }
    }

    private void node(String cluster, NodeDTO n) {
        String[] labels = {"cluster", cluster, "node", n.mac};
        gauge("lnlb_node_weight", "A node's weight in the current view (higher = busier).").add(n.weight, labels);
        gauge("lnlb_node_share_ratio", "A node's share of new sessions: its slice of the view's cut table (0..1).", "ratio")
                .add(n.share / 100, labels);
        gauge("lnlb_node_in_view", "1 when the node is in the current view.").add(n.inView ? 1 : 0, labels);
        gauge("lnlb_node_coordinator", "1 for the node that coordinates view changes.").add(n.coordinator ? 1 : 0, labels);
        gauge("lnlb_node_self", "1 for this node.").add(n.self ? 1 : 0, labels);
        gauge("lnlb_node_draining", "1 when the view has the node draining (no new sessions).").add(n.draining ? 1 : 0, labels);
        gauge("lnlb_node_sessions", "Live sessions the node owns in this node's tables.").add(n.sessions, labels);
        MetricFamily states = gauge("lnlb_node_state", "A node's state as this node sees it (1 for the current one).");
        String state = n.state.toLowerCase(Locale.ROOT);
        for (String s : NODE_STATES) {
            states.add(s.equals(state) ? 1 : 0, "cluster", cluster, "node", n.mac, "state", s);
        }
        if (!n.self && n.lastHeardMillis >= 0) {
            gauge("lnlb_node_last_heard_seconds", "Time since the node was last heard.", "seconds")
                    .add(n.lastHeardMillis / 1000.0, labels);
        }
    }

    private void counter(String name, long value, String... labels) {
        CounterMetric m = CounterMetric.of(name);
        family(m.family(), m.type(), m.unit(), m.help()).add(m.value(value), labels);
    }

    private MetricFamily counter(String name, String help) {
        return family(name, MetricFamily.Type.COUNTER, "", help);
    }

    private MetricFamily gauge(String name, String help) {
        return gauge(name, help, "");
    }

    private MetricFamily gauge(String name, String help, String unit) {
        return family(name, MetricFamily.Type.GAUGE, unit, help);
    }

    private MetricFamily family(String name, MetricFamily.Type type, String unit, String help) {
        MetricFamily f = families.computeIfAbsent(name, n -> new MetricFamily(n, type, unit, help));
        if (f.type() != type) {
            throw new IllegalStateException(name + " is both a " + f.type() + " and a " + type);
        }
        return f;
    }
}
