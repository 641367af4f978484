package lnlb.module.tcp.internal;

import java.util.concurrent.ConcurrentHashMap;
import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.propertytypes.Protocol;
import lnlb.core.api.table.FlowKeys;
import lnlb.core.api.table.SessionTable;
import lnlb.core.api.table.StateDump;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protocol 6: per-connection tracking. A connection is keyed by (source address, source port)
 * ({@link FlowKeys#flow}), and that key is also the {@linkplain #assignmentKey assignment key}, so
 * the connections of one client spread over the nodes while each stays on the node that took its
 * SYN.
 *
 * <h2>Decisions</h2>
 * <ul>
 * <li>A new owner is chosen only for a pure SYN of an unknown or finished connection:
 *     {@link #related} returns {@code NONE} and the core assigns it by hash. A retransmitted SYN,
 *     or a SYN on a live connection, keeps the owner.</li>
 * <li>A segment other than a SYN of an unknown connection (the tracker lost it: it expired, was
 *     evicted, or was open before any tracker ran) also gets {@code NONE}, so the core assigns it by
 *     the hash of its flow key. Every node sees the same segment and computes the same hash, so the
 *     choice is deterministic; and since that is the hash that placed the connection's SYN, it finds
 *     the node that holds it unless the membership changed since. It is remembered as
 *     {@link TcpState#PICKED_UP} with the short SYN life, and becomes established on the next ACK,
 *     so stray segments (an ACK scan) do not fill the table for hours. An RST of an unknown
 *     connection is not remembered at all.</li>
 * <li>FIN and RST shorten an entry's life (see {@link TcpTimeouts}); the segments after them still
 *     reach the owner.</li>
 * </ul>
 *
 * <h2>Fragments</h2>
 * Only the leading fragment of a datagram carries the ports. Its owner is remembered under
 * (source, identification) in a {@link FragmentTable}, and the trailing fragments go there. A
 * trailing fragment that arrives before its leading one is unknown there: {@link #related} returns
 * {@code NONE}, the assignment key is the source address alone ({@link FlowKeys#assignmentKey}),
 * and the owner it gets is remembered, so that the rest of the datagram follows it, including the
 * leading fragment if its connection is unknown (the connection then starts on that node). If the
 * connection is tracked, its owner wins and the early fragments are lost (TCP retransmits); they
 * never reach a node that has no such connection and would answer with a reset.
 *
 * <h2>Threading</h2>
 * One pair of tables per {@link Cluster}, used only on the cluster's event loop; the map of tables
 * is concurrent because clusters run on different threads. State dumps: {@link TcpStateCodec}.
 */
@Component(service = ProtocolModule.class, configurationPid = TcpTracker.PID)
@Protocol(Datagram.PROTOCOL_TCP)
@Designate(ocd = TcpTracker.Config.class)
public final class TcpTracker implements ProtocolModule {
    /** Configuration PID; optional, every key has a default. */
    public static final String PID = "lnlb.module.tcp";

    /** The largest {@code max.entries} + {@code max.fragments}: a full state must fit one dump. */
    public static final int MAX_ENTRIES = Math.min(SessionTable.MAX_ENTRIES, StateDump.MAX_ENTRIES);

    private static final Logger LOG = LoggerFactory.getLogger(TcpTracker.class);

    @ObjectClassDefinition(
            name = "lnlb TCP tracker",
            description = "Protocol 6: keeps every TCP connection (source address and port) on the node that took "
                    + "its SYN. Every node must use the same values.")
    public @interface Config {
        @AttributeDefinition(
                name = "Established idle timeout (s)",
                description = "An established connection without a segment for this long is forgotten; its next "
                        + "segment is assigned by hash again. Default: 2 h 4 min (RFC 5382), longer than TCP keepalive.",
                min = "1")
        long idle_timeout_seconds() default 7440;

        @AttributeDefinition(
                name = "SYN timeout (s)",
                description = "Life of a SYN the client has not acknowledged yet, and of a connection picked up "
                        + "mid-stream that has not sent a second segment. At most the idle timeout.",
                min = "1")
        long syn_timeout_seconds() default 30;

        @AttributeDefinition(
                name = "FIN timeout (s)",
                description = "Life after each segment once the client sent FIN. At most the idle timeout.",
                min = "1")
        long fin_timeout_seconds() default 60;

        @AttributeDefinition(
                name = "RST timeout (s)",
                description = "Life after each segment once the client sent RST. At most the idle timeout.",
                min = "1")
        long rst_timeout_seconds() default 10;

        @AttributeDefinition(
                name = "Fragment timeout (s)",
                description = "How long the trailing fragments of a datagram follow its leading fragment.",
                min = "1")
        long fragment_timeout_seconds() default 30;

        @AttributeDefinition(
                name = "Maximum connections",
                description = "Bound on the connections tracked per cluster; at the bound the entry nearest to "
                        + "expiry among the 16 nearest the new one is evicted.",
                min = "1")
        int max_entries() default 1_000_000;

        @AttributeDefinition(
                name = "Maximum fragmented datagrams",
                description = "Bound on the fragmented datagrams followed at a time, per cluster.",
                min = "1")
        int max_fragments() default 65_536;
    }

    private final TcpTimeouts timeouts;
    private final int maxEntries;
    private final int maxFragments;
    private final ConcurrentHashMap<Cluster, TcpTables> tables = new ConcurrentHashMap<>();

    /** DS constructor: validates the configuration. */
    @Activate
    public TcpTracker(Config config) {
        this(TcpTimeouts.ofSeconds(config.idle_timeout_seconds(), config.syn_timeout_seconds(),
                config.fin_timeout_seconds(), config.rst_timeout_seconds(), config.fragment_timeout_seconds()),
                config.max_entries(), config.max_fragments());
    }

    /**
     * Plain constructor (tests, embedding).
     *
     * @throws IllegalArgumentException naming the configuration key of a value out of range
     */
    public TcpTracker(TcpTimeouts timeouts, int maxEntries, int maxFragments) {
        if (timeouts == null) {
            throw new IllegalArgumentException("timeouts are null");
        }
        if (maxEntries < 1 || maxEntries > MAX_ENTRIES) {
            throw new IllegalArgumentException("max.entries must be 1.." + MAX_ENTRIES + ": " + maxEntries);
        }
        if (maxFragments < 1 || maxFragments > MAX_ENTRIES - maxEntries) {
            throw new IllegalArgumentException("max.fragments must be 1.." + (MAX_ENTRIES - maxEntries)
                    + " (max.entries + max.fragments <= " + MAX_ENTRIES + "): " + maxFragments);
        }
        this.timeouts = timeouts;
        this.maxEntries = maxEntries;
        this.maxFragments = maxFragments;
        LOG.debug("TCP tracker: {}, at most {} connections and {} fragmented datagrams per cluster",
                timeouts, maxEntries, maxFragments);
    }

    // ------------------------------------------------------------------ per datagram

    /**
     * The owner of the segment's connection, after applying the segment to its state;
     * {@link NodeAddress#NONE} for a pure SYN of an unknown or finished connection, for any segment
     * of an unknown connection, and for a trailing fragment whose datagram is unknown.
     */
    @Override
    public long related(Cluster cluster, Datagram datagram) {
        TcpTables t = tables.get(cluster);
        if (t == null || !datagram.valid()) {
            return NodeAddress.NONE;
        }
        long now = cluster.nowMillis();
        if (FlowKeys.isTrailingFragment(datagram)) {
            return t.fragments.owner(datagram, now);
        }
        if (!FlowKeys.hasPorts(datagram)) {
            return NodeAddress.NONE; // truncated header: by source hash, remembered nowhere
        }
        SessionTable flows = t.flows;
        long key = FlowKeys.flow(datagram);
        int flags = datagram.tcpFlags();
        int slot = flows.find(key);
        if (slot != SessionTable.NOT_FOUND) {
            if (flows.isExpired(slot, now)) {
                flows.removeAt(slot);
                slot = SessionTable.NOT_FOUND;
            } else if (TcpState.isSyn(flags) && TcpState.isFinished(flows.state(slot))) {
                slot = SessionTable.NOT_FOUND; // a new connection on the port: assigned afresh, replaces the entry
            }
        }
        if (slot == SessionTable.NOT_FOUND) {
            return unknownConnection(cluster, t, datagram, key, flags, now);
        }
        int state = TcpState.next(flows.state(slot), flags);
        flows.setState(slot, state);
        flows.touch(slot, timeouts.stamp(now, state));
        long owner = flows.owner(slot);
        if (FlowKeys.isLeadingFragment(datagram)) {
            t.fragments.remember(datagram, owner, now);
        }
        return owner;
    }

    /** NONE, unless trailing fragments of this leading one came first: the connection then follows them. */
    private long unknownConnection(Cluster cluster, TcpTables t, Datagram datagram, long key, int flags, long now) {
        if (!FlowKeys.isLeadingFragment(datagram)) {
            return NodeAddress.NONE;
        }
        long owner = t.fragments.owner(datagram, now);
        if (owner != NodeAddress.NONE) {
            // Opened by related itself, which the engine may call twice for one datagram: store the
            // state this segment leads to, which the same segment applied again does not change.
            open(cluster, t, key, TcpState.next(TcpState.initial(flags), flags), owner, now);
        }
        return owner;
    }

    /**
     * Remembers {@code node} as the owner of the segment's connection (or of its datagram, for a
     * fragment). For a tracked connection the core only hands it over to another node (its owner
     * left the view): the state {@link #related} left it in is kept.
     *
     * @throws IllegalArgumentException if {@code node} is not a node address
     */
    @Override
    public void assigned(Cluster cluster, Datagram datagram, long node) {
        TcpTables t = tables.get(cluster);
        if (t == null || !datagram.valid()) {
            return;
        }
        if (!NodeAddress.isValid(node)) {
            throw new IllegalArgumentException("not a node address: " + node);
        }
        long now = cluster.nowMillis();
        if (FlowKeys.isTrailingFragment(datagram)) {
            t.fragments.remember(datagram, node, now);
            return;
        }
        if (!FlowKeys.hasPorts(datagram)) {
            return;
        }
        SessionTable flows = t.flows;
        long key = FlowKeys.flow(datagram);
        int flags = datagram.tcpFlags();
        int slot = flows.find(key);
        if (slot != SessionTable.NOT_FOUND && !flows.isExpired(slot, now)
                && !(TcpState.isSyn(flags) && TcpState.isFinished(flows.state(slot)))) {
            flows.setOwner(slot, node);
        } else {
            open(cluster, t, key, TcpState.initial(flags), node, now);
        }
        if (FlowKeys.isLeadingFragment(datagram)) {
            t.fragments.remember(datagram, node, now);
        }
    }

    /** Starts tracking a connection first seen (or seen again after it finished) in {@code state}. */
    private void open(Cluster cluster, TcpTables t, long key, int state, long owner, long now) {
        SessionTable flows = t.flows;
        if (state == TcpState.UNTRACKED) {
            flows.remove(key); // an expired entry, if any
            return;
        }
        long evictions = flows.evictions();
        // put makes room by the real clock; the stamp that shortens the state's life comes after.
        int slot = flows.put(key, owner, now, state);
        flows.touch(slot, timeouts.stamp(now, state));
        if (evictions == 0 && flows.evictions() != 0) {
            LOG.warn("Cluster {}: TCP tracker holds {} connections (max.entries); evicting those nearest to expiry",
                    cluster.name(), maxEntries);
        }
    }

    /** The flow key when the datagram shows ports, else the source address: see {@link FlowKeys#assignmentKey}. */
    @Override
    public long assignmentKey(Cluster cluster, Datagram datagram) {
        return FlowKeys.assignmentKey(datagram);
    }

    // ------------------------------------------------------------------ cluster events

    @Override
    public void nodeDied(Cluster cluster, long node) {
        TcpTables t = tables.get(cluster);
        if (t != null) {
            int flows = t.flows.removeOwner(node);
            int fragments = t.fragments.removeOwner(node);
            LOG.info("Cluster {}: node {} died, TCP tracker forgot its {} connections and {} fragmented datagrams",
                    cluster.name(), NodeAddress.format(node), flows, fragments);
        }
    }

    @Override
    public void clusterCreated(Cluster cluster) {
        if (tables.putIfAbsent(cluster, TcpTables.empty(timeouts, maxEntries, maxFragments)) == null) {
            LOG.info("Cluster {}: TCP tracker ready ({}, at most {} connections)", cluster.name(), timeouts, maxEntries);
        }
    }

    @Override
    public void clusterDeleted(Cluster cluster) {
        TcpTables t = tables.remove(cluster);
        if (t != null) {
            LOG.info("Cluster {}: TCP tracker dropped {} connections", cluster.name(), t.flows.size());
        }
    }

    // ------------------------------------------------------------------ state transfer

    /** The cluster's tables in the {@link TcpStateCodec} format (version 2); empty for an unknown cluster. */
    @Override
    public byte[] saveState(Cluster cluster) {
        TcpTables t = tables.get(cluster);
        byte[] dump = TcpStateCodec.encode(t, cluster.nowMillis(), timeouts, TcpStateCodec.VERSION);
        LOG.debug("Cluster {}: TCP tracker saved {} connections ({} bytes)",
                cluster.name(), t == null ? 0 : t.flows.size(), dump.length);
        return dump;
    }

    /**
     * Replaces the cluster's tables with a dump (version 1 or 2), re-stamping every entry on this
     * node's clock and timeouts. The dump is checked completely before anything changes.
     *
     * @throws IllegalArgumentException if the dump is corrupt, truncated or of an unknown format;
     *     the current tables are then untouched
     */
    @Override
    public void loadState(Cluster cluster, byte[] state) {
        TcpStateCodec.Decoded decoded = TcpStateCodec.decode(state, cluster.nowMillis(), timeouts, maxEntries, maxFragments);
        if (!decoded.sender().equals(timeouts)) {
            LOG.warn("Cluster {}: the sender of the TCP tracker state uses {}, this node {};"
                    + " nodes must share the configuration", cluster.name(), decoded.sender(), timeouts);
        }
        if (decoded.dropped() > 0) {
            LOG.warn("Cluster {}: TCP tracker state holds {} connections and {} fragmented datagrams, more than"
                    + " max.entries={} / max.fragments={} here; kept those with the most life left", cluster.name(),
                    decoded.flows(), decoded.fragments(), maxEntries, maxFragments);
        }
        tables.put(cluster, decoded.tables());
        LOG.info("Cluster {}: TCP tracker loaded {} connections, {} fragmented datagrams (format {}, sender clock {} ms"
                + " behind this node)", cluster.name(), decoded.tables().flows.size(),
                decoded.tables().fragments.size(), decoded.version(), decoded.shiftMillis());
    }

    // ------------------------------------------------------------------ status

    /**
     * Connections tracked for {@code cluster}, 0 if it is unknown (the shell's {@code conntrack}
     * calls this by reflection). Call it on the cluster's loop, like every other method.
     */
    public int entries(Cluster cluster) {
        TcpTables t = tables.get(cluster);
        return t == null ? 0 : t.flows.size();
    }

    /** Fragmented datagrams followed for {@code cluster}. */
    public int fragments(Cluster cluster) {
        TcpTables t = tables.get(cluster);
        return t == null ? 0 : t.fragments.size();
    }

    /** Live connections evicted at the bound since the cluster's table was made or loaded. */
    public long evictions(Cluster cluster) {
        TcpTables t = tables.get(cluster);
        return t == null ? 0 : t.flows.evictions();
    }

    /** Live fragment entries evicted at the bound since the cluster's table was made or loaded. */
    public long fragmentEvictions(Cluster cluster) {
        TcpTables t = tables.get(cluster);
        return t == null ? 0 : t.fragments.evictions();
    }

    public TcpTimeouts timeouts() {
        return timeouts;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public int maxFragments() {
        return maxFragments;
    }

    /** For tests: the state of the connection this datagram belongs to, {@link TcpState#UNTRACKED} if none. */
    int state(Cluster cluster, Datagram datagram) {
        TcpTables t = tables.get(cluster);
        if (t == null || !FlowKeys.hasPorts(datagram)) {
            return TcpState.UNTRACKED;
        }
        int slot = t.flows.find(FlowKeys.flow(datagram));
        return slot == SessionTable.NOT_FOUND ? TcpState.UNTRACKED : t.flows.state(slot);
    }

    /** For tests and the codec's round trip. */
    TcpTables tables(Cluster cluster) {
        return tables.get(cluster);
    }
}
