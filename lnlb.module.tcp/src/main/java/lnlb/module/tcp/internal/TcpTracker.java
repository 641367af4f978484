package lnlb.module.tcp.internal;

import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.propertytypes.Protocol;
import lnlb.core.api.table.FlowDump;
import lnlb.core.api.table.FlowKeys;
import lnlb.core.api.table.FlowTables;
import lnlb.core.api.table.FlowTracker;
import lnlb.core.api.table.SessionTable;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Protocol 6: per-connection tracking, a {@link FlowTracker} (which holds the skeleton shared with
 * the UDP tracker: tables, fragments, callbacks, dumps, status) whose state word is the
 * connection's {@link TcpState}. A connection is keyed by (source address, source port)
 * ({@link FlowKeys#flow}), and that key is also the assignment key, so the connections of one
 * client spread over the nodes while each stays on the node that took its SYN.
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
 * <li>FIN and RST shorten an entry's life (see {@link TcpTimeouts}): the entry is stamped
 *     ({@link #stamp}) so that the table expires it when the state's life is over; the segments
 *     after them still reach the owner.</li>
 * <li>A hand-over (the owner left the view) keeps the state and stamp {@link #related} left.</li>
 * </ul>
 *
 * Fragments follow their leading fragment as {@link FlowTracker} describes; if the connection is
 * tracked, its owner wins and early trailing fragments are lost (TCP retransmits): they never reach
 * a node that has no such connection and would answer with a reset. State dumps: {@link TcpStateCodec}.
 */
@Component(service = ProtocolModule.class, configurationPid = TcpTracker.PID)
@Protocol(Datagram.PROTOCOL_TCP)
@Designate(ocd = TcpTracker.Config.class)
public final class TcpTracker extends FlowTracker {
    /** Configuration PID; optional, every key has a default. */
    public static final String PID = "lnlb.module.tcp";

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
        super("TCP tracker", "connections", checked(timeouts).idleMillis(), timeouts.fragmentMillis(), maxEntries,
                maxFragments);
        this.timeouts = timeouts;
    }

    private static TcpTimeouts checked(TcpTimeouts timeouts) {
        if (timeouts == null) {
            throw new IllegalArgumentException("timeouts are null");
        }
        return timeouts;
    }

    // ------------------------------------------------------------------ the state word

    @Override
    protected int initial(Datagram datagram) {
        return TcpState.initial(datagram.tcpFlags());
    }

    @Override
    protected int next(int state, Datagram datagram) {
        return TcpState.next(state, datagram.tcpFlags());
    }

    /** Shortens the life of a connection in SYN, FIN or RST state: see {@link TcpTimeouts#stamp}. */
    @Override
    protected long stamp(long now, int state) {
        return timeouts.stamp(now, state);
    }

    /** A segment that opens nothing (an RST of an unknown connection) is not remembered. */
    @Override
    protected boolean tracks(int state) {
        return state != TcpState.UNTRACKED;
    }

    /** A SYN on a finished connection: a new connection on the port, assigned afresh. */
    @Override
    protected boolean startsAfresh(int state, Datagram datagram) {
        return TcpState.isSyn(datagram.tcpFlags()) && TcpState.isFinished(state);
    }

    /** Only the owner changes: the state {@link #related} left the connection in is kept. */
    @Override
    protected void handOver(SessionTable flows, int slot, long node, long now) {
        flows.setOwner(slot, node);
    }

    // ------------------------------------------------------------------ state transfer

    /** The connection state's name for {@code lnlb:conntrack}. */
    @Override
    public String stateName(int state) {
        return TcpState.name(state);
    }

    @Override
    protected int magic() {
        return TcpStateCodec.MAGIC;
    }

    @Override
    protected long[] flowParameters() {
        return TcpStateCodec.flowParameters(timeouts);
    }

    @Override
    protected FlowTables load(FlowDump dump, long now) {
        return TcpStateCodec.load(dump, now, timeouts, maxEntries(), maxFragments());
    }

    @Override
    protected String describe(long[] parameters) {
        return TcpStateCodec.timeouts(parameters).toString();
    }

    // ------------------------------------------------------------------ status

    public TcpTimeouts timeouts() {
        return timeouts;
    }

    /** For tests: the state of the connection this datagram belongs to, {@link TcpState#UNTRACKED} if none. */
    int state(Cluster cluster, Datagram datagram) {
        FlowTables t = flowTables(cluster);
        if (t == null || !FlowKeys.hasPorts(datagram)) {
            return TcpState.UNTRACKED;
        }
        int slot = t.flows().find(FlowKeys.flow(datagram));
        return slot == SessionTable.NOT_FOUND ? TcpState.UNTRACKED : t.flows().state(slot);
    }

    /** For tests and the codec's round trip. */
    FlowTables tables(Cluster cluster) {
        return flowTables(cluster);
    }
}
