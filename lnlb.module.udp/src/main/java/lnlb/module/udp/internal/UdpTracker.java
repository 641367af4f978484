package lnlb.module.udp.internal;

import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.propertytypes.Protocol;
import lnlb.core.api.table.FlowDump;
import lnlb.core.api.table.FlowKeys;
import lnlb.core.api.table.FlowTables;
import lnlb.core.api.table.FlowTracker;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Protocol 17: per-flow tracking, a {@link FlowTracker} (which holds the skeleton shared with the
 * TCP tracker: tables, fragments, callbacks, dumps, status) with its defaults: a flow lives while
 * datagrams keep coming, and its state word is unused (0). A flow is keyed by (source address, source port)
 * ({@link FlowKeys#flow}), and that key is also the {@linkplain #assignmentKey assignment key}, so
 * the flows of one client spread over the nodes while each stays on the node that took its first
 * datagram, until it has been idle for {@code idle.timeout.seconds} (60 s by default: UDP has no
 * end-of-flow signal, and request/response protocols are short-lived).
 *
 * <p>UDP has no handshake, so any datagram of an unknown flow starts one: {@link #related} returns
 * {@code NONE}, the core assigns it by the hash of its flow key and calls {@link #assigned}. Every
 * datagram of a known flow refreshes it, on every node (all nodes see the same datagrams).
 * Fragments follow their leading fragment as {@link FlowTracker} describes. State dumps:
 * {@link UdpStateCodec}.
 */
@Component(service = ProtocolModule.class, configurationPid = UdpTracker.PID)
@Protocol(Datagram.PROTOCOL_UDP)
@Designate(ocd = UdpTracker.Config.class)
public final class UdpTracker extends FlowTracker {
    /** Configuration PID; optional, every key has a default. */
    public static final String PID = "lnlb.module.udp";

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
        super("UDP tracker", "flows", idleMillis, fragmentMillis, maxEntries, maxFragments);
    }

    private static long millis(String key, long seconds) {
        if (seconds < 1 || seconds > Long.MAX_VALUE / 1000) {
            throw new IllegalArgumentException(key + " must be 1.." + Long.MAX_VALUE / 1000 + ": " + seconds);
        }
        return seconds * 1000;
    }

    // ------------------------------------------------------------------ state transfer

    @Override
    protected int magic() {
        return UdpStateCodec.MAGIC;
    }

    @Override
    protected long[] flowParameters() {
        return new long[] {idleMillis()};
    }

    @Override
    protected FlowTables load(FlowDump dump, long now) {
        return UdpStateCodec.load(dump, now, idleMillis(), fragmentMillis(), maxEntries(), maxFragments());
    }

    @Override
    protected String describe(long[] parameters) {
        return "timeouts of " + parameters[0] + " / " + parameters[1] + " ms";
    }

    /** For tests and the codec's round trip. */
    FlowTables tables(Cluster cluster) {
        return flowTables(cluster);
    }
}
