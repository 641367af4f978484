package lnlb.core.api.wire;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import lnlb.core.internal.wire.ClusterHeader;
import lnlb.core.internal.wire.MessageAuthenticator;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The header fields of one cluster frame, as read by {@link #read}, and the frame layout, for
 * tools that capture frames or forge them field by field. Offsets count from the start of the
 * Ethernet frame; every field is big-endian. The layout, drawn in full:
 *
 * <pre>
 *  offset  field
 *       0  destination MAC (6): the cluster MAC
 *       6  source MAC (6): the sender's node address
 *      12  EtherType (u16) = {@link #ETHERTYPE}
 *      14  version (u8) = {@link #VERSION}      15  type (u8)
 *      16  flags (u16): {@link #FLAG_SEALED}
 *      18  cluster VIP (16; IPv4 as ::ffff:a.b.c.d)
 *      34  message id (u32, per sender)
 *      38  fragment index (u16, 0-based)       40  fragment count (u16, 1..{@link #MAX_FRAGMENTS})
 *      42  total body length (u32)             46  CRC32 of the whole body (u32)
 *      50  slice length (u16)                  52  the slice
 *  52+n    sealed frames: counter (u64), tag (16): the trailer, {@link #TRAILER_LENGTH} bytes
 * </pre>
 *
 * @param sealed whether the flags announce a trailer
 */
@ProviderType
public record FrameHeader(long destination, long source, int etherType, int version, int type, int flags,
        int messageId, int fragmentIndex, int fragmentCount, long totalLength, long crc, int sliceLength,
        boolean sealed) {
    public static final int ETHERTYPE = ClusterHeader.ETHERTYPE;
    public static final int VERSION = ClusterHeader.VERSION;
    public static final int FLAG_SEALED = ClusterHeader.FLAG_AUTHENTICATED;
    public static final int MAX_FRAGMENTS = ClusterHeader.MAX_FRAGMENTS;
    public static final int MAX_SLICE_LENGTH = ClusterHeader.MAX_SLICE_LENGTH;
    public static final int VIP_LENGTH = ClusterHeader.VIP_LENGTH;

    public static final int DESTINATION_OFFSET = ClusterHeader.DESTINATION_OFFSET;
    public static final int SOURCE_OFFSET = ClusterHeader.SOURCE_OFFSET;
    public static final int ETHERTYPE_OFFSET = ClusterHeader.ETHERTYPE_OFFSET;
    public static final int VERSION_OFFSET = ClusterHeader.VERSION_OFFSET;
    public static final int TYPE_OFFSET = ClusterHeader.TYPE_OFFSET;
    public static final int FLAGS_OFFSET = ClusterHeader.FLAGS_OFFSET;
    public static final int VIP_OFFSET = ClusterHeader.VIP_OFFSET;
    public static final int MESSAGE_ID_OFFSET = ClusterHeader.MESSAGE_ID_OFFSET;
    public static final int FRAGMENT_INDEX_OFFSET = ClusterHeader.FRAGMENT_INDEX_OFFSET;
    public static final int FRAGMENT_COUNT_OFFSET = ClusterHeader.FRAGMENT_COUNT_OFFSET;
    public static final int TOTAL_LENGTH_OFFSET = ClusterHeader.TOTAL_LENGTH_OFFSET;
    public static final int CRC_OFFSET = ClusterHeader.CRC_OFFSET;
    public static final int SLICE_LENGTH_OFFSET = ClusterHeader.SLICE_LENGTH_OFFSET;
    public static final int SLICE_OFFSET = ClusterHeader.SLICE_OFFSET;
    /** The cluster header after the Ethernet header: 38 bytes. */
    public static final int HEADER_LENGTH = ClusterHeader.HEADER_LENGTH;
    /** Ethernet and cluster headers together: 52 bytes, where the slice starts. */
    public static final int FRAME_HEADER_LENGTH = ClusterHeader.FRAME_HEADER_LENGTH;
    /** The bytes a sealed frame carries after its slice: counter and tag. */
    public static final int TRAILER_LENGTH = MessageAuthenticator.TRAILER_LENGTH;

    /**
     * The header of the frame in {@code frame[0..)}, whatever its fields say (nothing is checked
     * but the length); null when the frame is shorter than {@link #FRAME_HEADER_LENGTH} bytes.
     */
    public static FrameHeader read(byte[] frame) {
        return read(ByteBuffer.wrap(frame), 0, frame.length);
    }

    /** The header of the {@code length}-byte frame at absolute index {@code offset}; the buffer does not move. */
    public static FrameHeader read(ByteBuffer buffer, int offset, int length) {
        if (length < FRAME_HEADER_LENGTH || offset < 0 || offset > buffer.limit() - length) {
            return null;
        }
        ClusterHeader h = new ClusterHeader().wrap(buffer, offset);
        return new FrameHeader(h.destination(), h.source(), h.etherType(), h.version(), h.type(), h.flags(),
                h.messageId(), h.fragmentIndex(), h.fragmentCount(), h.totalLength(), h.crc(), h.sliceLength(),
                h.sealed());
    }

    /** True when {@code frame} is long enough for the headers and carries the cluster EtherType. */
    public static boolean isCluster(byte[] frame) {
        return frame.length >= FRAME_HEADER_LENGTH
                && ClusterHeader.etherType(ByteBuffer.wrap(frame), 0) == ETHERTYPE;
    }

    /** The 16 VIP bytes of a cluster frame for an address: IPv6 as is, IPv4 as {@code ::ffff:a.b.c.d}. */
    public static byte[] vipBytes(InetAddress vip) {
        return ClusterHeader.vipBytes(vip);
    }
}
