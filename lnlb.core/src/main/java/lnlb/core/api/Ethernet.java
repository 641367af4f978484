package lnlb.core.api;

import java.nio.ByteBuffer;

/**
 * The Ethernet II header (IEEE 802.3 with an EtherType), the one place its layout is written down:
 * constants, a reusable zero-copy view over one frame ({@link #wrap}, like {@link Datagram}), and
 * static reads and writes at absolute indexes for code that needs one field.
 *
 * <pre>
 *  offset  size  field
 *  0       6     destination MAC
 *  6       6     source MAC
 *  12      2     EtherType, big-endian (0x0800 IPv4, 0x0806 ARP, 0x86DD IPv6, ...)
 *  14            payload
 * </pre>
 *
 * Nothing here allocates, and the buffer's position and limit are never touched; multi-byte fields
 * are read in network order whatever the buffer's {@link java.nio.ByteOrder}. A view is valid only
 * inside the callback that handed the frame over.
 */
public final class Ethernet {
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = DESTINATION_OFFSET + 6;
    public static final int TYPE_OFFSET = SOURCE_OFFSET + 6;
    /** Bytes before the payload: no VLAN tag (an 802.1Q frame shows as EtherType 0x8100). */
    public static final int HEADER_LENGTH = TYPE_OFFSET + 2;

    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86DD;

    private ByteBuffer buffer;
    private int offset;
    private int length;
    private boolean valid;

    /**
     * Points this view at the frame {@code buffer[offset, offset + length)}. Returns this view;
     * {@link #valid()} says whether a whole header lies within the range and the buffer's limit.
     */
    public Ethernet wrap(ByteBuffer buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.valid = length >= HEADER_LENGTH && offset >= 0 && offset <= buffer.limit() - length;
        return this;
    }

    /** True if the frame holds a whole header; the accessors below need it. */
    public boolean valid() {
        return valid;
    }

    /** Destination MAC (48 bits in a long). */
    public long destination() {
        return NodeAddress.read(buffer, offset + DESTINATION_OFFSET);
    }

    /** Source MAC (48 bits in a long). */
    public long source() {
        return NodeAddress.read(buffer, offset + SOURCE_OFFSET);
    }

    /** The EtherType, 0..65535. */
    public int type() {
        return type(buffer, offset);
    }

    /** Absolute index of the payload (an IP packet, an ARP message, ...). */
    public int payloadOffset() {
        return offset + HEADER_LENGTH;
    }

    /** Bytes after the header (padding included: the IP header says how much is packet). */
    public int payloadLength() {
        return length - HEADER_LENGTH;
    }

    /** True for an IPv4 or IPv6 payload. */
    public boolean carriesIp() {
        int type = type();
        return type == TYPE_IPV4 || type == TYPE_IPV6;
    }

    /** The EtherType of the frame at absolute index {@code frame}; the caller checked the length. */
    public static int type(ByteBuffer buffer, int frame) {
        return (buffer.get(frame + TYPE_OFFSET) & 0xFF) << 8 | buffer.get(frame + TYPE_OFFSET + 1) & 0xFF;
    }

    /** Writes a header at absolute index {@code frame}; returns the index of the payload. */
    public static int writeHeader(ByteBuffer buffer, int frame, long destination, long source, int type) {
        NodeAddress.write(buffer, frame + DESTINATION_OFFSET, destination);
        NodeAddress.write(buffer, frame + SOURCE_OFFSET, source);
        buffer.put(frame + TYPE_OFFSET, (byte) (type >>> 8));
        buffer.put(frame + TYPE_OFFSET + 1, (byte) type);
        return frame + HEADER_LENGTH;
    }
}
