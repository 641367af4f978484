package lnlb.module.dflt.internal;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import lnlb.core.api.Affinity;
import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.ModuleStatus;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.propertytypes.Protocol;
import lnlb.core.api.table.FlowKeys;
import lnlb.core.api.table.SessionEntries;
import lnlb.core.api.table.SessionTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protocol 0, the default handler: the original {@code lnlb_mod_default} tracker. It remembers
 * which node owns each client, keyed by source address ({@link Datagram#sourceKey()}), so that
 * every connection of a client lands on the same node ("single affinity") until the client has
 * been idle for {@code idle.timeout.seconds}. Protocols that open several connections (FTP,
 * iperf3, SIP, sessions kept in a server's memory) need that.
 *
 * <p>One {@link SessionTable} per {@link Cluster}. Calls for one cluster come from its event loop
 * and never overlap, so a table needs no lock; the map of tables is concurrent because different
 * clusters run on different threads. Every node sees the same datagrams and makes the same calls,
 * so the tables stay identical without exchanging per-session messages: that is why
 * {@link #related} refreshes an entry's last-seen time on every node, not only on its owner.
 *
 * <p>State dumps use the format described in {@link StateCodec}: the {@code StateDump} framing
 * shared by every tracker (version 2); version 1 dumps of older nodes are still read
 * ({@link LegacyDump}). Table sizes are reported through {@link ModuleStatus}.
 */
@Component(service = ProtocolModule.class, configurationPid = DefaultTracker.PID)
@Protocol(ProtocolModule.DEFAULT_HANDLER)
@Designate(ocd = DefaultTracker.Config.class)
public final class DefaultTracker implements ProtocolModule, ModuleStatus, SessionEntries {
    /** Configuration PID; optional, the defaults are the original's. */
    public static final String PID = "lnlb.module.default";

    /**
     * The largest {@code max.entries}: a full table must still fit one dump (a Java array), and
     * the session table has its own limit.
     */
    public static final int MAX_ENTRIES = Math.min(SessionTable.MAX_ENTRIES, StateCodec.MAX_ENTRIES);

    private static final Logger LOG = LoggerFactory.getLogger(DefaultTracker.class);

    @ObjectClassDefinition(
            name = "lnlb default tracker",
            description = "Protocol 0 (default handler): keeps every client (source IP) on one node.")
    public @interface Config {
        @AttributeDefinition(
                name = "Idle timeout (s)",
                description = "A client not seen for this long is forgotten; its next datagram is assigned afresh.",
                min = "1")
        long idle_timeout_seconds() default 1800;

        @AttributeDefinition(
                name = "Maximum entries",
                description = "Bound on the clients tracked per cluster; at the bound the least recently seen "
                        + "client near the new one is evicted. Every node must use the same value.",
                min = "1")
        int max_entries() default 1_000_000;
    }

    private final long idleMillis;
    private final int maxEntries;
    private final ConcurrentHashMap<Cluster, SessionTable> tables = new ConcurrentHashMap<>();

    /** DS constructor: validates the configuration. */
    @Activate
    public DefaultTracker(Config config) {
        this(idleMillis(config.idle_timeout_seconds()), maxEntries(config.max_entries()));
    }

    /**
     * Plain constructor (tests, embedding).
     *
     * @throws IllegalArgumentException naming the configuration key of a value out of range
     */
    public DefaultTracker(long idleMillis, int maxEntries) {
        if (idleMillis <= 0) {
            throw new IllegalArgumentException("idle.timeout.seconds must be positive: " + idleMillis + " ms");
        }
        this.idleMillis = idleMillis;
        this.maxEntries = maxEntries(maxEntries);
        LOG.debug("Default tracker: idle timeout {} ms, at most {} entries per cluster", idleMillis, maxEntries);
    }

    private static long idleMillis(long seconds) {
        if (seconds < 1 || seconds > Long.MAX_VALUE / 1000) {
            throw new IllegalArgumentException("idle.timeout.seconds must be 1.." + Long.MAX_VALUE / 1000 + ": " + seconds);
        }
        return seconds * 1000;
    }

    private static int maxEntries(int entries) {
        if (entries < 1 || entries > MAX_ENTRIES) {
            throw new IllegalArgumentException("max.entries must be 1.." + MAX_ENTRIES + ": " + entries);
        }
        return entries;
    }

    // ------------------------------------------------------------------ per datagram

    /**
     * The owner of the datagram's source, refreshing the entry; {@link NodeAddress#NONE} if the
     * source is unknown or idle too long (the entry is then dropped), or the cluster unknown.
     */
    @Override
    public long related(Cluster cluster, Datagram datagram) {
        SessionTable table = tables.get(cluster);
        if (table == null || !datagram.valid()) {
            return NodeAddress.NONE;
        }
        int slot = table.find(key(datagram));
        if (slot == SessionTable.NOT_FOUND) {
            return NodeAddress.NONE;
        }
        long now = cluster.nowMillis();
        if (table.isExpired(slot, now)) {
            table.removeAt(slot);
            return NodeAddress.NONE;
        }
        table.touch(slot, now);
        // A client of a draining node is a new session elsewhere: hashed, and assigned() moves the entry.
        return datagram.drains(table.owner(slot)) ? NodeAddress.NONE : table.owner(slot);
    }

    /**
     * The entry's key: the source address ({@link Datagram#sourceKey()}, also for connection
     * affinity, as a protocol without a tracker of its own has no connections to tell apart), or
     * under {@link Affinity#NETWORK} the network's ({@link FlowKeys#client}).
     */
    private static long key(Datagram datagram) {
        return datagram.affinity() == Affinity.NETWORK ? FlowKeys.client(datagram, Affinity.NETWORK)
                : datagram.sourceKey();
    }

    /** The source address, or its network under {@link Affinity#NETWORK}. */
    @Override
    public long assignmentKey(Cluster cluster, Datagram datagram) {
        return datagram.affinity() == Affinity.NETWORK ? datagram.networkKey() : datagram.sourceKey();
    }

    /** What {@link #related} would answer, changing nothing (for {@code lnlb:owner}). */
    @Override
    public long lookup(Cluster cluster, Datagram datagram) {
        SessionTable table = tables.get(cluster);
        if (table == null || !datagram.valid()) {
            return NodeAddress.NONE;
        }
        int slot = table.find(key(datagram));
        return slot == SessionTable.NOT_FOUND || table.isExpired(slot, cluster.nowMillis())
                || datagram.drains(table.owner(slot)) ? NodeAddress.NONE : table.owner(slot);
    }

    /** Source keys ({@link Datagram#sourceKey()}). */
    @Override
    public int keyKind() {
        return KEY_SOURCE;
    }

    @Override
    public int visit(Cluster cluster, int from, int slots, SessionTable.Visitor visitor) {
        SessionTable table = tables.get(cluster);
        return table == null ? END : table.visit(from, slots, visitor);
    }

    @Override
    public long entryIdleMillis() {
        return idleMillis;
    }

    /**
     * Remembers {@code node} as the owner of the datagram's source.
     *
     * @throws IllegalArgumentException if {@code node} is not a node address
     */
    @Override
    public void assigned(Cluster cluster, Datagram datagram, long node) {
        SessionTable table = tables.get(cluster);
        if (table == null || !datagram.valid()) {
            return;
        }
        long evictions = table.evictions();
        table.put(key(datagram), node, cluster.nowMillis(), 0);
        if (evictions == 0 && table.evictions() != 0) {
            LOG.warn("Cluster {}: default tracker holds {} clients (max.entries); evicting the least recently seen",
                    cluster.name(), maxEntries);
        }
    }

    // ------------------------------------------------------------------ cluster events

    @Override
    public void nodeDied(Cluster cluster, long node) {
        SessionTable table = tables.get(cluster);
        if (table != null) {
            int forgotten = table.removeOwner(node);
            LOG.info("Cluster {}: node {} died, default tracker forgot its {} clients",
                    cluster.name(), NodeAddress.format(node), forgotten);
        }
    }

    @Override
    public void clusterCreated(Cluster cluster) {
        if (tables.putIfAbsent(cluster, new SessionTable(maxEntries, idleMillis)) == null) {
            LOG.info("Cluster {}: default tracker ready (idle timeout {} s, at most {} clients)",
                    cluster.name(), idleMillis / 1000, maxEntries);
        }
    }

    @Override
    public void clusterDeleted(Cluster cluster) {
        SessionTable table = tables.remove(cluster);
        if (table != null) {
            LOG.info("Cluster {}: default tracker dropped {} clients", cluster.name(), table.size());
        }
    }

    // ------------------------------------------------------------------ state transfer

    /** The cluster's table in the {@link StateCodec} format, version 2; an empty dump for an unknown cluster. */
    @Override
    public byte[] saveState(Cluster cluster) {
        SessionTable table = tables.get(cluster);
        byte[] dump = StateCodec.encode(table, cluster.nowMillis(), idleMillis);
        LOG.debug("Cluster {}: default tracker saved {} clients ({} bytes)",
                cluster.name(), table == null ? 0 : table.size(), dump.length);
        return dump;
    }

    /**
     * Replaces the cluster's table with a dump (version 1 or 2), shifting timestamps into this
     * node's clock. The dump is checked completely before anything changes.
     *
     * @throws IllegalArgumentException if the dump is corrupt, truncated or of an unknown format;
     *     the current table is then untouched
     */
    @Override
    public void loadState(Cluster cluster, byte[] state) {
        StateCodec.Decoded decoded = StateCodec.decode(state, cluster.nowMillis(), maxEntries, idleMillis);
        if (decoded.senderIdleMillis() != idleMillis) {
            LOG.warn("Cluster {}: the sender of the default tracker state uses an idle timeout of {} ms, this node {} ms;"
                    + " nodes must share the configuration", cluster.name(), decoded.senderIdleMillis(), idleMillis);
        }
        if (decoded.dropped() > 0) {
            LOG.warn("Cluster {}: default tracker state holds {} clients, more than max.entries={} here;"
                    + " kept the {} most recently seen", cluster.name(), decoded.entries(), maxEntries, maxEntries);
        }
        tables.put(cluster, decoded.table());
        LOG.info("Cluster {}: default tracker loaded {} clients (format {}, sender clock {} ms behind this node)",
                cluster.name(), decoded.table().size(), decoded.version(), decoded.shiftMillis());
    }

    // ------------------------------------------------------------------ status

    /**
     * Clients tracked for {@code cluster}, 0 if it is unknown. Call it on the cluster's loop, like
     * every other method.
     */
    @Override
    public int entries(Cluster cluster) {
        SessionTable table = tables.get(cluster);
        return table == null ? 0 : table.size();
    }

    /** The one table, of clients; empty for an unknown cluster. */
    @Override
    public List<TableStatus> tableStatus(Cluster cluster) {
        SessionTable table = tables.get(cluster);
        return table == null ? List.of()
                : List.of(new TableStatus("clients", table.size(), maxEntries, table.evictions()));
    }

    /** Live clients evicted at the bound for {@code cluster} since its table was made or loaded. */
    public long evictions(Cluster cluster) {
        SessionTable table = tables.get(cluster);
        return table == null ? 0 : table.evictions();
    }

    /** The idle timeout in milliseconds. */
    public long idleMillis() {
        return idleMillis;
    }

    /** The bound on clients per cluster. */
    public int maxEntries() {
        return maxEntries;
    }
}
