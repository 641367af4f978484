package lnlb.module.udp.internal;

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
 * Protocol 17: per-flow tracking. A flow is keyed by (source address, source port)
 * ({@link FlowKeys#flow}), and that key is also the {@linkplain #assignmentKey assignment key}, so
 * the flows of one client spread over the nodes while each stays on the node that took its first
 * datagram, until it has been idle for {@code idle.timeout.seconds} (60 s by default: UDP has no
 * end-of-flow signal, and request/response protocols are short-lived).
 *
 * <p>UDP has no handshake, so any datagram of an unknown flow starts one: {@link #related} returns
 * {@code NONE}, the core assigns it by the hash of its flow key and calls {@link #assigned}. Every
 * datagram of a known flow refreshes it, on every node (all nodes see the same datagrams).
 *
 * <p>Fragments are handled as by the TCP tracker: the leading fragment's owner is remembered under
 * (source, identification) in a {@link lnlb.core.api.table.FragmentTable} and the trailing ones go
 * there. A trailing fragment that arrives first is assigned by its source address alone
 * ({@link FlowKeys#assignmentKey}), and the rest of its datagram follows it, including the leading
 * fragment if its flow is unknown (the flow then starts on that node). If the flow is tracked, its
 * owner wins and the early fragments are lost.
 *
 * <p>One pair of tables per {@link Cluster}, used only on the cluster's event loop. State dumps:
 * {@link UdpStateCodec}.
 */
@Component(service = ProtocolModule.class, configurationPid = UdpTracker.PID)
@Protocol(Datagram.PROTOCOL_UDP)
@Designate(ocd = UdpTracker.Config.class)
public final class UdpTracker implements ProtocolModule {
    /** Configuration PID; optional, every key has a default. */
    public static final String PID = "lnlb.module.udp";

    /** The largest {@code max.entries} + {@code max.fragments}: a full state must fit one dump. */
    public static final int MAX_ENTRIES = Math.min(SessionTable.MAX_ENTRIES, StateDump.MAX_ENTRIES);

    private static final Logger LOG = LoggerFactory.getLogger(UdpTracker.class);

    @ObjectClassDefinition(
            name = "lnlb UDP tracker",
            description = "Protocol 17: keeps every UDP flow (source address and port) on one node while it is "
                    + "active. Every node must use the same values.")
    public @interface Config {
        @AttributeDefinition(
                name = "Idle timeout (s)",
                description = "A flow without a datagram for this long is forgotten; its next datagram is "
                        + "assigned by hash again.",
                min = "1")
        long idle_timeout_seconds() default 60;

        @AttributeDefinition(
                name = "Fragment timeout (s)",
                description = "How long the trailing fragments of a datagram follow its leading fragment.",
                min = "1")
        long fragment_timeout_seconds() default 30;

        @AttributeDefinition(
                name = "Maximum flows",
                description = "Bound on the flows tracked per cluster; at the bound the least recently seen of "
                        + "the 16 flows nearest the new one is evicted.",
                min = "1")
        int max_entries() default 1_000_000;

        @AttributeDefinition(
                name = "Maximum fragmented datagrams",
                description = "Bound on the fragmented datagrams followed at a time, per cluster.",
                min = "1")
        int max_fragments() default 65_536;
    }

    private final long idleMillis;
    private final long fragmentMillis;
    private final int maxEntries;
    private final int maxFragments;
    private final ConcurrentHashMap<Cluster, UdpTables> tables = new ConcurrentHashMap<>();

    /** DS constructor: validates the configuration. */
    @Activate
    public UdpTracker(Config config) {
        this(millis("idle.timeout.seconds", config.idle_timeout_seconds()),
                millis("fragment.timeout.seconds", config.fragment_timeout_seconds()),
                config.max_entries(), config.max_fragments());
    }

    /**
     * Plain constructor (tests, embedding).
     *
     * @throws IllegalArgumentException naming the configuration key of a value out of range
     */
    public UdpTracker(long idleMillis, long fragmentMillis, int maxEntries, int maxFragments) {
        if (idleMillis <= 0) {
            throw new IllegalArgumentException("idle.timeout.seconds must be positive: " + idleMillis + " ms");
        }
        if (fragmentMillis <= 0) {
            throw new IllegalArgumentException("fragment.timeout.seconds must be positive: " + fragmentMillis + " ms");
        }
        if (maxEntries < 1 || maxEntries > MAX_ENTRIES) {
            throw new IllegalArgumentException("max.entries must be 1.." + MAX_ENTRIES + ": " + maxEntries);
        }
        if (maxFragments < 1 || maxFragments > MAX_ENTRIES - maxEntries) {
            throw new IllegalArgumentException("max.fragments must be 1.." + (MAX_ENTRIES - maxEntries)
                    + " (max.entries + max.fragments <= " + MAX_ENTRIES + "): " + maxFragments);
        }
        this.idleMillis = idleMillis;
        this.fragmentMillis = fragmentMillis;
        this.maxEntries = maxEntries;
        this.maxFragments = maxFragments;
        LOG.debug("UDP tracker: idle timeout {} ms, fragments {} ms, at most {} flows and {} fragmented datagrams",
                idleMillis, fragmentMillis, maxEntries, maxFragments);
    }

    private static long millis(String key, long seconds) {
        if (seconds < 1 || seconds > Long.MAX_VALUE / 1000) {
            throw new IllegalArgumentException(key + " must be 1.." + Long.MAX_VALUE / 1000 + ": " + seconds);
        }
        return seconds * 1000;
    }

    // ------------------------------------------------------------------ per datagram

    /**
     * The owner of the datagram's flow, refreshing it; {@link NodeAddress#NONE} for an unknown or
     * idle flow (an idle entry is dropped) and for a trailing fragment whose datagram is unknown.
     */
    @Override
    public long related(Cluster cluster, Datagram datagram) {
        UdpTables t = tables.get(cluster);
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
        int slot = flows.find(key);
        if (slot != SessionTable.NOT_FOUND && flows.isExpired(slot, now)) {
            flows.removeAt(slot);
            slot = SessionTable.NOT_FOUND;
        }
        if (slot == SessionTable.NOT_FOUND) {
            if (!FlowKeys.isLeadingFragment(datagram)) {
                return NodeAddress.NONE;
            }
            long owner = t.fragments.owner(datagram, now);
            if (owner != NodeAddress.NONE) {
                open(cluster, t, key, owner, now); // trailing fragments came first: the flow follows them
            }
            return owner;
        }
        flows.touch(slot, now);
        long owner = flows.owner(slot);
        if (FlowKeys.isLeadingFragment(datagram)) {
            t.fragments.remember(datagram, owner, now);
        }
        return owner;
    }

    /**
     * Remembers {@code node} as the owner of the datagram's flow (or of its datagram, for a
     * fragment).
     *
     * @throws IllegalArgumentException if {@code node} is not a node address
     */
    @Override
    public void assigned(Cluster cluster, Datagram datagram, long node) {
        UdpTables t = tables.get(cluster);
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
        open(cluster, t, FlowKeys.flow(datagram), node, now);
        if (FlowKeys.isLeadingFragment(datagram)) {
            t.fragments.remember(datagram, node, now);
        }
    }

    private void open(Cluster cluster, UdpTables t, long key, long owner, long now) {
        SessionTable flows = t.flows;
        long evictions = flows.evictions();
        flows.put(key, owner, now, 0);
        if (evictions == 0 && flows.evictions() != 0) {
            LOG.warn("Cluster {}: UDP tracker holds {} flows (max.entries); evicting the least recently seen",
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
        UdpTables t = tables.get(cluster);
        if (t != null) {
            int flows = t.flows.removeOwner(node);
            int fragments = t.fragments.removeOwner(node);
            LOG.info("Cluster {}: node {} died, UDP tracker forgot its {} flows and {} fragmented datagrams",
                    cluster.name(), NodeAddress.format(node), flows, fragments);
        }
    }

    @Override
    public void clusterCreated(Cluster cluster) {
        if (tables.putIfAbsent(cluster, UdpTables.empty(idleMillis, fragmentMillis, maxEntries, maxFragments)) == null) {
            LOG.info("Cluster {}: UDP tracker ready (idle timeout {} ms, at most {} flows)",
                    cluster.name(), idleMillis, maxEntries);
        }
    }

    @Override
    public void clusterDeleted(Cluster cluster) {
        UdpTables t = tables.remove(cluster);
        if (t != null) {
            LOG.info("Cluster {}: UDP tracker dropped {} flows", cluster.name(), t.flows.size());
        }
    }

    // ------------------------------------------------------------------ state transfer

    /** The cluster's tables in the {@link UdpStateCodec} format (version 2); empty for an unknown cluster. */
    @Override
    public byte[] saveState(Cluster cluster) {
        UdpTables t = tables.get(cluster);
        byte[] dump = UdpStateCodec.encode(t, cluster.nowMillis(), idleMillis, fragmentMillis, UdpStateCodec.VERSION);
        LOG.debug("Cluster {}: UDP tracker saved {} flows ({} bytes)",
                cluster.name(), t == null ? 0 : t.flows.size(), dump.length);
        return dump;
    }

    /**
     * Replaces the cluster's tables with a dump (version 1 or 2), shifting every time into this
     * node's clock. The dump is checked completely before anything changes.
     *
     * @throws IllegalArgumentException if the dump is corrupt, truncated or of an unknown format;
     *     the current tables are then untouched
     */
    @Override
    public void loadState(Cluster cluster, byte[] state) {
        UdpStateCodec.Decoded decoded = UdpStateCodec.decode(state, cluster.nowMillis(), idleMillis, fragmentMillis,
                maxEntries, maxFragments);
        if (decoded.senderIdleMillis() != idleMillis || decoded.senderFragmentMillis() != fragmentMillis) {
            LOG.warn("Cluster {}: the sender of the UDP tracker state uses timeouts of {} / {} ms, this node {} / {} ms;"
                    + " nodes must share the configuration", cluster.name(), decoded.senderIdleMillis(),
                    decoded.senderFragmentMillis(), idleMillis, fragmentMillis);
        }
        if (decoded.dropped() > 0) {
            LOG.warn("Cluster {}: UDP tracker state holds {} flows and {} fragmented datagrams, more than"
                    + " max.entries={} / max.fragments={} here; kept the most recently seen", cluster.name(),
                    decoded.flows(), decoded.fragments(), maxEntries, maxFragments);
        }
        tables.put(cluster, decoded.tables());
        LOG.info("Cluster {}: UDP tracker loaded {} flows, {} fragmented datagrams (format {}, sender clock {} ms"
                + " behind this node)", cluster.name(), decoded.tables().flows.size(),
                decoded.tables().fragments.size(), decoded.version(), decoded.shiftMillis());
    }

    // ------------------------------------------------------------------ status

    /**
     * Flows tracked for {@code cluster}, 0 if it is unknown (the shell's {@code conntrack} calls
     * this by reflection). Call it on the cluster's loop, like every other method.
     */
    public int entries(Cluster cluster) {
        UdpTables t = tables.get(cluster);
        return t == null ? 0 : t.flows.size();
    }

    /** Fragmented datagrams followed for {@code cluster}. */
    public int fragments(Cluster cluster) {
        UdpTables t = tables.get(cluster);
        return t == null ? 0 : t.fragments.size();
    }

    /** Live flows evicted at the bound since the cluster's table was made or loaded. */
    public long evictions(Cluster cluster) {
        UdpTables t = tables.get(cluster);
        return t == null ? 0 : t.flows.evictions();
    }

    /** Live fragment entries evicted at the bound since the cluster's table was made or loaded. */
    public long fragmentEvictions(Cluster cluster) {
        UdpTables t = tables.get(cluster);
        return t == null ? 0 : t.fragments.evictions();
    }

    public long idleMillis() {
        return idleMillis;
    }

    public long fragmentMillis() {
        return fragmentMillis;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public int maxFragments() {
        return maxFragments;
    }

    /** For tests and the codec's round trip. */
    UdpTables tables(Cluster cluster) {
        return tables.get(cluster);
    }
}
