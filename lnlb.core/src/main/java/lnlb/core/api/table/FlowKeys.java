package lnlb.core.api.table;

import lnlb.core.api.Affinity;
import lnlb.core.api.Datagram;

/**
 * Packs the identity of a transport flow, or of a fragmented datagram, into one {@code long} for a
 * {@link SessionTable} and for {@code ProtocolModule.assignmentKey}. The packing is part of the
 * cluster protocol: every node must compute the same key for the same datagram, on any JVM, so it
 * is written out here and pinned by test vectors.
 *
 * <pre>
 * flow key (source address, source port, destination port)
 *   IPv4:  63..62 zero | 61..48 destination port mod 2^14 | 47..16 source address | 15..0 source port
 *   IPv6:  bit 63 set  | ((sourceKey() * FLOW_MULTIPLIER + port) * FLOW_MULTIPLIER + destination port), bits 62..0
 *
 * legacy flow key (before issue 13: no destination port; what version 1 and 2 dumps hold)
 *   IPv4:  63..48 zero | 47..16 source address (unsigned) | 15..0 source port
 *   IPv6:  bit 63 set  | (sourceKey() * FLOW_MULTIPLIER + port), bits 62..0
 *
 * client key (a flow tracker's entry for a whole client under source or network affinity)
 *   IPv4:  bit 62 set, bit 61 set for a network | 31..0 sourceKey() or networkKey()
 *   IPv6:  bits 63, 62 set, bit 61 set for a network | 60..0 of sourceKey() or networkKey()
 *
 * fragment key (source address, identification)
 *   IPv4:  63..48 zero | 47..16 source address (unsigned) | 15..0 identification (16 bits)
 *   IPv6:  bit 63 set  | (sourceKey() * FRAGMENT_MULTIPLIER + identification (32 bits)), bits 62..0
 * </pre>
 *
 * IPv4 keys never have bit 63 set and IPv6 keys always do, so the two families never collide. An
 * IPv6 address is folded into 64 bits ({@link Datagram#sourceKey()}); two IPv6 flows share a key
 * only when their folded addresses differ by one of the two values that their port difference
 * (times the inverse of the multiplier) allows, so two given addresses have a chance of about
 * 2<sup>-46</sup> that any of their ports collide. The multipliers are odd, so for one address
 * every port (identification) gives a different key. Two flows that share a key share an entry:
 * every node makes the same mistake, so the nodes still agree.
 *
 * <p>Only the source side is in a key: trackers see client-to-VIP datagrams only, and the
 * destination is the cluster's VIP. The fragment identification is unique per (source,
 * destination, protocol) (RFC 791, RFC 8200 §4.5); a module keeps one fragment table per protocol
 * and cluster, so (source, identification) identifies the datagram.
 *
 * <p>All methods are static, allocate nothing and read the {@link Datagram} at absolute indexes.
 */
public final class FlowKeys {
    /** Odd multiplier folding an IPv6 source key with a port (the xxHash64 prime 2). */
    public static final long FLOW_MULTIPLIER = 0xC2B2_AE3D_27D4_EB4FL;

    /** Odd multiplier folding an IPv6 source key with a fragment identification (the xxHash64 prime 1). */
    public static final long FRAGMENT_MULTIPLIER = 0x9E37_79B1_85EB_CA87L;

    private static final long IPV6 = Long.MIN_VALUE;
    /** Bit 62: a client entry, not a flow (IPv4 flow keys never have it). */
    public static final long CLIENT = 1L << 62;
    /** The bit a client key carries for a network (a /24) rather than one address. */
    public static final long NETWORK = 1L << 61;
    private static final long LOW_61 = (1L << 61) - 1;

    private FlowKeys() {
    }

    /**
     * The flow key of a datagram that {@linkplain #hasPorts carries ports}. For one without ports
     * the result is unspecified (the port then reads as 65535): check {@link #hasPorts} first.
     */
    public static long flow(Datagram d) {
        int port = d.sourcePort() & 0xFFFF;
        int destination = d.destinationPort() & 0xFFFF;
        if (d.version() == 4) {
            return (long) (destination & 0x3FFF) << 48 | (d.sourceV4() & 0xFFFF_FFFFL) << 16 | port;
        }
        return ((d.sourceKey() * FLOW_MULTIPLIER + port) * FLOW_MULTIPLIER + destination) | IPV6;
    }

    /**
     * The flow key as it was before the destination port entered it: the keys of dumps of
     * version 1 and 2, which a tracker still finds ({@link FlowTracker}).
     */
    public static long legacyFlow(Datagram d) {
        int port = d.sourcePort() & 0xFFFF;
        if (d.version() == 4) {
            return (d.sourceV4() & 0xFFFF_FFFFL) << 16 | port;
        }
        return (d.sourceKey() * FLOW_MULTIPLIER + port) | IPV6;
    }

    /**
     * The key of the entry that holds a whole client under {@code affinity}: its source address
     * ({@link Affinity#SOURCE}) or its network ({@link Affinity#NETWORK}, {@link Datagram#networkKey()}).
     * Never equal to an IPv4 flow key.
     */
    public static long client(Datagram d, int affinity) {
        boolean network = affinity == Affinity.NETWORK;
        long base = network ? d.networkKey() : d.sourceKey();
        long tag = CLIENT | (network ? NETWORK : 0);
        return d.version() == 4 ? tag | base : tag | IPV6 | (base & LOW_61);
    }

    /** True when {@code affinity} keeps a client together ({@link Affinity#SOURCE}, {@link Affinity#NETWORK}). */
    public static boolean keepsClients(int affinity) {
        return affinity == Affinity.SOURCE || affinity == Affinity.NETWORK;
    }

    /**
     * The assignment key under {@code affinity}: the source address ({@link Affinity#SOURCE}), its
     * network ({@link Affinity#NETWORK}), or else (connection, unset) {@link #assignmentKey(Datagram)}.
     * Every module hashes the same source or network key, so a client's protocols land together.
     */
    public static long assignmentKey(Datagram d, int affinity) {
        if (affinity == Affinity.SOURCE) {
            return d.sourceKey();
        }
        if (affinity == Affinity.NETWORK) {
            return d.networkKey();
        }
        return assignmentKey(d);
    }

    /** The key of the fragmented datagram {@code d} is a fragment of: (source, identification). */
    public static long fragment(Datagram d) {
        long id = d.fragmentId();
        if (d.version() == 4) {
            return (d.sourceV4() & 0xFFFF_FFFFL) << 16 | (id & 0xFFFF);
        }
        return (d.sourceKey() * FRAGMENT_MULTIPLIER + (id & 0xFFFF_FFFFL)) | IPV6;
    }

    /** True when the datagram shows its source port (not a trailing fragment, header not truncated). */
    public static boolean hasPorts(Datagram d) {
        return d.sourcePort() != Datagram.ABSENT;
    }

    /**
     * A fragment at a non-zero offset: it carries no transport header, so it can only be matched to
     * its flow through the fragment table.
     */
    public static boolean isTrailingFragment(Datagram d) {
        return d.isFragment() && d.fragmentOffset() != 0;
    }

    /**
     * The fragment at offset 0 with more to come: the one fragment that shows both the ports and
     * the identification, so the moment to remember where the rest must go. An IPv6 "atomic"
     * fragment (offset 0, no more fragments) is a whole datagram and is not one.
     */
    public static boolean isLeadingFragment(Datagram d) {
        return d.isFirstFragment() && d.moreFragments();
    }

    /**
     * The assignment key of a per-flow tracker: the {@linkplain #flow flow key} when the datagram
     * carries ports, so that one client's flows spread over the nodes; otherwise (a trailing
     * fragment, a truncated transport header) the source address alone,
     * {@link Datagram#sourceKey()}, which is what the default handler hashes.
     */
    public static long assignmentKey(Datagram d) {
        return hasPorts(d) ? flow(d) : d.sourceKey();
    }
}
