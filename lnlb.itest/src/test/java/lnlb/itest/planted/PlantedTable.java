package lnlb.itest.planted;

import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.table.SessionEntries;
import lnlb.core.api.table.SessionTable;

/**
 * A test-only tracker for protocol {@value #PROTOCOL} (RFC 3692's experimental number: no traffic
 * uses it) whose table holds only what {@code lnlbtest:plant} put in it on this node: the one way
 * to make one node's table differ from the others' on purpose, so the lab can show that
 * {@code lnlbctl conntrack NAME --digest} sees it. It claims no datagram, so decisions never change.
 */
public final class PlantedTable implements ProtocolModule, SessionEntries {
    public static final int PROTOCOL = 253;
    /** A planted entry never expires while the lab looks at it. */
    static final long IDLE_MILLIS = 24L * 3600 * 1000;

    /** Planted by the command (any thread), moved into the table on the cluster's loop. */
    private final Map<String, Queue<Integer>> pending = new ConcurrentHashMap<>();
    /** Per cluster, on its loop: source address -> {owner, last seen}. */
    private final Map<String, Map<Long, long[]>> tables = new ConcurrentHashMap<>();

    /** Asks the loop to plant {@code source} owned by this node (done at the next look at the table). */
    void plant(String cluster, int source) {
        pending.computeIfAbsent(cluster, c -> new ConcurrentLinkedQueue<>()).add(source);
    }

    private Map<Long, long[]> table(Cluster cluster) {
        Map<Long, long[]> t = tables.computeIfAbsent(cluster.name(), c -> new TreeMap<>());
        Queue<Integer> q = pending.get(cluster.name());
        for (Integer s = q == null ? null : q.poll(); s != null; s = q.poll()) {
            t.put(s & 0xFFFF_FFFFL, new long[] {cluster.localNode(), cluster.nowMillis()});
        }
        return t;
    }

    @Override
    public long related(Cluster cluster, Datagram datagram) {
        return NodeAddress.NONE;
    }

    @Override
    public void assigned(Cluster cluster, Datagram datagram, long node) {
    }

    @Override
    public void nodeDied(Cluster cluster, long node) {
    }

    @Override
    public void clusterCreated(Cluster cluster) {
    }

    @Override
    public void clusterDeleted(Cluster cluster) {
        tables.remove(cluster.name());
    }

    /** Nothing travels: a joiner gets an empty table, so a planted entry stays on its node alone. */
    @Override
    public byte[] saveState(Cluster cluster) {
        return new byte[0];
    }

    @Override
    public void loadState(Cluster cluster, byte[] state) {
    }

    @Override
    public int keyKind() {
        return KEY_SOURCE;
    }

    @Override
    public int visit(Cluster cluster, int from, int slots, SessionTable.Visitor visitor) {
        if (from == 0) {
            table(cluster).forEach((key, e) -> visitor.visit(key, e[0], e[1], 0));
        }
        return END;
    }

    @Override
    public long entryIdleMillis() {
        return IDLE_MILLIS;
    }

    @Override
    public long lookup(Cluster cluster, Datagram datagram) {
        return NodeAddress.NONE;
    }
}
