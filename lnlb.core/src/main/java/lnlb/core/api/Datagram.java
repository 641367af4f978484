package lnlb.core.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A reusable, zero-copy view over one IPv4 or IPv6 packet in a buffer. {@link #wrap} parses the
 * headers once, at absolute indexes (the buffer's position and limit are never touched), and
 * remembers the few offsets the accessors need; nothing is allocated. A malformed or truncated
 * packet is reported by {@link #valid()} being false, never by an exception.
 *
 * <pre>
 * IPv4 (RFC 791)                              IPv6 (RFC 8200)
 *  0      4      8             16      19   31  0      4        12                      31
 * |Version| IHL  |  DSCP/ECN   |  Total Length | |Version|Traffic Class|   Flow Label    |
 * |       Identification       |Flags|Frag Off | |  Payload Length   |Next Hdr|Hop Limit |
 * |  TTL  |    Protocol  |    Header Checksum  | |        Source Address (128 bits)      |
 * |                Source Address              | |     Destination Address (128 bits)    |
 * |             Destination Address            | then extension headers (hop-by-hop,
 * |        Options (IHL > 5) ...               |  routing, fragment, destination options)
 * </pre>
 *
 * Multi-byte fields are read in network order whatever {@link ByteBuffer#order()} the buffer has.
 * Addresses of both families are also given as a 128-bit pair ({@link #sourceHigh()},
 * {@link #sourceLow()}): IPv4 addresses appear there IPv4-mapped ({@code ::ffff:a.b.c.d}).
 * Valid only inside the callback that handed it over; never keep a reference.
 */
public final class Datagram {
    /** Returned by accessors whose field is absent (no ports in a non-first fragment, ...). */
    public static final int ABSENT = -1;

    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_ICMPV6 = 58;
    public static final int PROTOCOL_SCTP = 132;

    /** TCP flag bits as in the header's 13th byte (RFC 9293). */
    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_RST = 0x04;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK = 0x10;

    static final int IPV4_MIN_HEADER = 20;
    static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
    static final int IPV4_IDENTIFICATION_OFFSET = 4;
    static final int IPV4_FLAGS_FRAGMENT_OFFSET = 6;
    static final int IPV4_PROTOCOL_OFFSET = 9;
    static final int IPV4_SOURCE_OFFSET = 12;
    static final int IPV4_DESTINATION_OFFSET = IPV4_SOURCE_OFFSET + 4;
    static final int IPV4_MORE_FRAGMENTS = 0x2000;
    static final int IPV4_FRAGMENT_OFFSET_MASK = 0x1FFF;

    static final int IPV6_HEADER = 40;
    static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    static final int IPV6_NEXT_HEADER_OFFSET = 6;
    static final int IPV6_SOURCE_OFFSET = 8;
    static final int IPV6_DESTINATION_OFFSET = IPV6_SOURCE_OFFSET + 16;
    /** Extension headers walked before giving up (a hostile chain must not loop long). */
    static final int IPV6_MAX_EXTENSION_HEADERS = 8;
    static final int IPV6_HOP_BY_HOP = 0;
    static final int IPV6_ROUTING = 43;
    static final int IPV6_FRAGMENT = 44;
    static final int IPV6_DESTINATION_OPTIONS = 60;
    static final int IPV6_NO_NEXT_HEADER = 59;

    static final int PORTS_LENGTH = 4;
    static final int TCP_FLAGS_OFFSET = 13;
    static final int TCP_MIN_HEADER = 20;

    private static final long IPV4_MAPPED_HIGH = 0L;
    private static final long IPV4_MAPPED_LOW_PREFIX = 0xFFFFL << 32;

    private ByteBuffer buffer;
    /** False when the buffer is little-endian: multi-byte reads are then byte-swapped. */
    private boolean bigEndian;
    private int offset;
    private int length;
    private boolean valid;
    private int version;
    private int protocol;
    /** Absolute index of the transport header, or ABSENT (non-first fragment, truncated). */
    private int transportOffset;
    /** Bytes of transport header present in the packet. */
    private int transportLength;
    private boolean fragment;
    private int fragmentOffset;
    private boolean moreFragments;
    private long fragmentId;
    private int affinity = Affinity.UNSET;
    private static final long[] NOBODY = new long[0];
    private long[] draining = NOBODY;

    /**
     * Points this view at the IP packet at {@code buffer[offset, offset + length)} and parses its
     * headers. {@code length} may exceed the packet's own length (Ethernet padding); it is then
     * clipped to what the IP header says. Returns this view; check {@link #valid()}.
     */
    public Datagram wrap(ByteBuffer buffer, int offset, int length) {
        this.buffer = buffer;
        this.bigEndian = buffer.order() == ByteOrder.BIG_ENDIAN;
        this.offset = offset;
        this.length = length;
        this.valid = false;
        this.version = 0;
        this.protocol = ABSENT;
        this.transportOffset = ABSENT;
        this.transportLength = 0;
        this.fragment = false;
        this.fragmentOffset = 0;
        this.moreFragments = false;
        this.fragmentId = 0;
        this.affinity = Affinity.UNSET;
        this.draining = NOBODY;
        // Absolute reads are bounded by the limit; written so that it cannot overflow.
        if (length < 1 || offset < 0 || offset > buffer.limit() - length) {
            return this;
        }
        int v = (buffer.get(offset) & 0xFF) >>> 4;
        if (v == 4) {
            parseIpv4();
        } else if (v == 6) {
            parseIpv6();
        }
        return this;
    }

    private void parseIpv4() {
        if (length < IPV4_MIN_HEADER) {
            return;
        }
        int headerLength = (buffer.get(offset) & 0x0F) << 2;
        int totalLength = u16(offset + IPV4_TOTAL_LENGTH_OFFSET);
        if (headerLength < IPV4_MIN_HEADER || totalLength < headerLength || totalLength > length) {
            return;
        }
        length = totalLength;
        version = 4;
        protocol = buffer.get(offset + IPV4_PROTOCOL_OFFSET) & 0xFF;
        int flagsAndOffset = u16(offset + IPV4_FLAGS_FRAGMENT_OFFSET);
        fragmentOffset = (flagsAndOffset & IPV4_FRAGMENT_OFFSET_MASK) << 3;
        moreFragments = (flagsAndOffset & IPV4_MORE_FRAGMENTS) != 0;
        fragment = moreFragments || fragmentOffset != 0;
        fragmentId = u16(offset + IPV4_IDENTIFICATION_OFFSET);
        if (fragmentOffset == 0) {
            transportOffset = offset + headerLength;
            transportLength = totalLength - headerLength;
        }
        valid = true;
    }

    private void parseIpv6() {
        if (length < IPV6_HEADER) {
            return;
        }
        int payloadLength = u16(offset + IPV6_PAYLOAD_LENGTH_OFFSET);
        int end = offset + IPV6_HEADER + payloadLength;
        if (IPV6_HEADER + payloadLength > length) {
            return;
        }
        length = IPV6_HEADER + payloadLength;
        int next = buffer.get(offset + IPV6_NEXT_HEADER_OFFSET) & 0xFF;
        int at = offset + IPV6_HEADER;
        for (int walked = 0; walked <= IPV6_MAX_EXTENSION_HEADERS; walked++) {
            if (next == IPV6_HOP_BY_HOP || next == IPV6_ROUTING || next == IPV6_DESTINATION_OPTIONS) {
                if (at + 2 > end) {
                    return;
                }
                int size = ((buffer.get(at + 1) & 0xFF) + 1) << 3;
                next = buffer.get(at) & 0xFF;
                at += size;
            } else if (next == IPV6_FRAGMENT) {
                if (at + 8 > end) {
                    return;
                }
                int offsetAndFlags = u16(at + 2);
                fragment = true;
                fragmentOffset = offsetAndFlags & ~0x7;
                moreFragments = (offsetAndFlags & 1) != 0;
                fragmentId = i32(at + 4) & 0xFFFF_FFFFL;
                next = buffer.get(at) & 0xFF;
                at += 8;
                if (fragmentOffset != 0) {
                    // A non-first fragment: what follows is fragment data, not more headers.
                    version = 6;
                    protocol = next;
                    valid = true;
                    return;
                }
            } else {
                if (at > end) {
                    return;
                }
                protocol = next;
                if (fragmentOffset == 0 && next != IPV6_NO_NEXT_HEADER) {
                    transportOffset = at;
                    transportLength = end - at;
                }
                version = 6;
                valid = true;
                return;
            }
        }
        // Too many extension headers: refuse rather than walk a hostile chain.
    }

    /** False when the packet is not IPv4/IPv6, truncated, or its lengths lie. */
    public boolean valid() {
        return valid;
    }

    /** 4 or 6; 0 when not valid. */
    public int version() {
        return version;
    }

    /**
     * The upper-layer protocol (after IPv6 extension headers), or ABSENT. For a non-first IPv6
     * fragment: the next header named by its fragment header (the rest is not visible).
     */
    public int protocol() {
        return protocol;
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    /** Absolute index of the IP header. */
    public int offset() {
        return offset;
    }

    /** Length of the IP packet (header + payload), without link padding. */
    public int length() {
        return length;
    }

    /** IPv4 source address as a raw int (network order); 0 for IPv6. */
    public int sourceV4() {
        return version == 4 ? i32(offset + IPV4_SOURCE_OFFSET) : 0;
    }

    /** IPv4 destination address as a raw int; 0 for IPv6. */
    public int destinationV4() {
        return version == 4 ? i32(offset + IPV4_DESTINATION_OFFSET) : 0;
    }

    /** High 64 bits of the source address (IPv4: IPv4-mapped, so 0). */
    public long sourceHigh() {
        return version == 6 ? i64(offset + IPV6_SOURCE_OFFSET) : IPV4_MAPPED_HIGH;
    }

    /** Low 64 bits of the source address (IPv4: {@code 0000:ffff:a.b.c.d}). */
    public long sourceLow() {
        return version == 6
                ? i64(offset + IPV6_SOURCE_OFFSET + 8)
                : IPV4_MAPPED_LOW_PREFIX | (sourceV4() & 0xFFFF_FFFFL);
    }

    /** High 64 bits of the destination address (IPv4-mapped for IPv4). */
    public long destinationHigh() {
        return version == 6 ? i64(offset + IPV6_DESTINATION_OFFSET) : IPV4_MAPPED_HIGH;
    }

    /** Low 64 bits of the destination address (IPv4-mapped for IPv4). */
    public long destinationLow() {
        return version == 6
                ? i64(offset + IPV6_DESTINATION_OFFSET + 8)
                : IPV4_MAPPED_LOW_PREFIX | (destinationV4() & 0xFFFF_FFFFL);
    }

    /**
     * The source address folded into one {@code long}, the default assignment key: an IPv4
     * address as its unsigned value; an IPv6 address as {@code high * K ^ low} with a fixed odd
     * constant (part of the protocol: every node must compute the same key).
     */
    public long sourceKey() {
        if (version == 4) {
            return sourceV4() & 0xFFFF_FFFFL;
        }
        return sourceHigh() * 0x9E37_79B9_7F4A_7C15L ^ sourceLow();
    }

    /**
     * The source's network, folded into one {@code long} for {@link Affinity#NETWORK}: an IPv4
     * address's /24 as its unsigned value; an IPv6 address's /64 folded as {@link #sourceKey()}
     * folds the whole address. Clients of one network share it, and it hashes like a source key.
     */
    public long networkKey() {
        if (version == 4) {
            return sourceV4() & 0xFFFF_FF00L;
        }
        return sourceHigh() * 0x9E37_79B9_7F4A_7C15L;
    }

    /**
     * The affinity of the port rule this datagram falls under ({@link Affinity}), set by the core
     * before it calls a module; {@link Affinity#UNSET} right after {@link #wrap}.
     */
    public int affinity() {
        return affinity;
    }

    /** Sets the {@linkplain #affinity() affinity} (the core does, after classifying; tests may). Returns this view. */
    public Datagram classify(int affinity) {
        return classify(affinity, NOBODY);
    }

    /**
     * Sets the affinity and the nodes that drain in the view this datagram is decided under
     * ({@code drainingNodes} sorted ascending, kept, not copied: the caller must not change it).
     */
    public Datagram classify(int affinity, long[] drainingNodes) {
        this.affinity = affinity;
        this.draining = drainingNodes;
        return this;
    }

    /**
     * True when {@code node} drains in the view this datagram is decided under: it keeps its
     * sessions but takes no new one, so a module does not send a new connection of a known client
     * there (the core then assigns it by hash).
     */
    public boolean drains(long node) {
        return draining.length != 0 && java.util.Arrays.binarySearch(draining, node) >= 0;
    }

    /** Transport source port (TCP, UDP, SCTP, UDP-Lite, DCCP), or ABSENT. */
    public int sourcePort() {
        return hasPorts() ? u16(transportOffset) : ABSENT;
    }

    /** Transport destination port, or ABSENT. */
    public int destinationPort() {
        return hasPorts() ? u16(transportOffset + 2) : ABSENT;
    }

    /** TCP flags ({@link #TCP_SYN} ...), or ABSENT when not TCP or truncated. */
    public int tcpFlags() {
        if (protocol != PROTOCOL_TCP || transportOffset == ABSENT || transportLength < TCP_MIN_HEADER) {
            return ABSENT;
        }
        return buffer.get(transportOffset + TCP_FLAGS_OFFSET) & 0xFF;
    }

    /** True for any fragment (first, middle or last) of a fragmented packet. */
    public boolean isFragment() {
        return fragment;
    }

    /** True for the fragment at offset 0 (the only one that carries the ports). */
    public boolean isFirstFragment() {
        return fragment && fragmentOffset == 0;
    }

    /** Fragment offset in bytes; 0 when not a fragment. */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    /** The more-fragments flag. */
    public boolean moreFragments() {
        return moreFragments;
    }

    /** Identification (IPv4: 16 bits; IPv6 fragment header: 32 bits); 0 when not a fragment header. */
    public long fragmentId() {
        return fragmentId;
    }

    /** Absolute index of the transport header, or ABSENT. */
    public int transportOffset() {
        return transportOffset;
    }

    private int u16(int index) {
        short value = buffer.getShort(index);
        return (bigEndian ? value : Short.reverseBytes(value)) & 0xFFFF;
    }

    private int i32(int index) {
        int value = buffer.getInt(index);
        return bigEndian ? value : Integer.reverseBytes(value);
    }

    private long i64(int index) {
        long value = buffer.getLong(index);
        return bigEndian ? value : Long.reverseBytes(value);
    }

    private boolean hasPorts() {
        return transportOffset != ABSENT && transportLength >= PORTS_LENGTH && carriesPorts(protocol);
    }

    private static boolean carriesPorts(int protocol) {
        return protocol == PROTOCOL_TCP || protocol == PROTOCOL_UDP || protocol == PROTOCOL_SCTP
                || protocol == 136 /* UDP-Lite */ || protocol == 33 /* DCCP */;
    }
}
