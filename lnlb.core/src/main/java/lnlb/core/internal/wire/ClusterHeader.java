package lnlb.core.internal.wire;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import lnlb.core.api.NodeAddress;

/**
 * The header of a cluster frame, read in place. Offsets count from the start of the Ethernet frame;
 * the lnlb header proper starts at {@link #ETHERNET_HEADER_LENGTH} and is {@link #HEADER_LENGTH}
 * bytes long. All fields are big-endian (network order).
 *
 * <pre>
 *  frame  lnlb   0                   1
 * offset offset  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 *               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *      0        ~  Destination MAC (6 bytes):   ~
 *               ~  the cluster MAC              ~
 *      6        +-------------------------------+
 *               ~  Source MAC (6 bytes): the    ~
 *               ~  sender's node address        ~
 *     12        +-------------------------------+
 *               |  EtherType = 0x88B5           |
 *     14      0 +---------------+---------------+
 *               |  Version = 3  |     Type      |
 *     16      2 +---------------+---------------+
 *               |  Flags: 1 = sealed (trailer)  |
 *     18      4 +-------------------------------+
 *               ~  Cluster VIP (16 bytes); an   ~
 *               ~  IPv4 VIP as ::ffff:a.b.c.d   ~
 *     34     20 +-------------------------------+
 *               ~  Message id (u32, per sender) ~
 *     38     24 +-------------------------------+
 *               |  Fragment index (0-based)     |
 *     40     26 +-------------------------------+
 *               |  Fragment count (1..32768)    |
 *     42     28 +-------------------------------+
 *               ~  Total body length (u32)      ~
 *     46     32 +-------------------------------+
 *               ~  CRC32 of the whole body      ~
 *     50     36 +-------------------------------+
 *               |  Slice length                 |
 *     52     38 +-------------------------------+
 *               ~  Slice of the body            ~
 *   52+n   38+n +-------------------------------+  sealed frames only (flag 1):
 *               ~  Frame counter (u64)          ~
 *   60+n   46+n +-------------------------------+
 *               ~  Tag (16 bytes): HMAC-SHA256  ~
 *               ~  of bytes 6 .. 60+n, truncated~
 *   76+n   62+n +-------------------------------+
 * </pre>
 * ({@code ~}: a field spanning several 16-bit rows; {@code n}: the slice length.)
 *
 * <p>Version 2 added the trailer: with a cluster key every frame is sealed on its own ({@link
 * MessageAuthenticator}), so a forged fragment is refused before reassembly keeps anything for it.
 * Version 1 sealed whole messages instead; its frames are counted as {@code badVersion} and dropped.
 * Version 3 changed bodies (issue 13): JOIN and heartbeats carry the port rules' digest and a drain
 * flag, views each member's drain flag and the port rules; a version 2 node cannot decide as a
 * version 3 cluster does, so their frames are dropped as {@code badVersion} both ways.
 *
 * <p>Every fragment but the last carries a full slice of the same length {@code S}, so fragment
 * {@code i} holds body bytes {@code [i*S, i*S + sliceLength)}. A sender uses
 * {@code S = mtu - HEADER_LENGTH}; a receiver does not know the sender's MTU and learns {@code S}
 * from the fragment itself ({@link #fullSliceLength()}). Bytes after the slice (Ethernet padding of
 * short frames) are ignored.
 *
 * <p>This view uses absolute indexes only and never moves the buffer's position or limit; it reads
 * network order whatever the buffer's {@link ByteBuffer#order()}. Call {@link #check} before
 * trusting any other accessor; a view is valid only while the frame is.
 */
public final class ClusterHeader {
    /** IEEE 802 "local experimental EtherType 1". */
    public static final int ETHERTYPE = 0x88B5;
    /** The header version this code writes and reads (3: per-frame trailer, rules and drain in the bodies; see above). */
    public static final int VERSION = 3;
    /** The most fragments one message may have; keeps a receiver's bitmap of fragments small. */
    public static final int MAX_FRAGMENTS = 0x8000;
    /** The longest slice one frame can carry (the slice length is a u16). */
    public static final int MAX_SLICE_LENGTH = 0xFFFF;

    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = DESTINATION_OFFSET + 6;
    public static final int ETHERTYPE_OFFSET = SOURCE_OFFSET + 6;
    public static final int ETHERNET_HEADER_LENGTH = ETHERTYPE_OFFSET + 2;
    public static final int VERSION_OFFSET = ETHERNET_HEADER_LENGTH;
    public static final int TYPE_OFFSET = VERSION_OFFSET + 1;
    public static final int FLAGS_OFFSET = TYPE_OFFSET + 1;
    /** Flag: the frame ends with a {@link MessageAuthenticator} trailer after its slice. */
    public static final int FLAG_AUTHENTICATED = 0x0001;
    public static final int VIP_OFFSET = FLAGS_OFFSET + 2;
    public static final int VIP_LENGTH = 16;
    public static final int MESSAGE_ID_OFFSET = VIP_OFFSET + VIP_LENGTH;
    public static final int FRAGMENT_INDEX_OFFSET = MESSAGE_ID_OFFSET + 4;
    public static final int FRAGMENT_COUNT_OFFSET = FRAGMENT_INDEX_OFFSET + 2;
    public static final int TOTAL_LENGTH_OFFSET = FRAGMENT_COUNT_OFFSET + 2;
    public static final int CRC_OFFSET = TOTAL_LENGTH_OFFSET + 4;
    public static final int SLICE_LENGTH_OFFSET = CRC_OFFSET + 4;
    public static final int SLICE_OFFSET = SLICE_LENGTH_OFFSET + 2;
    /** Length of the lnlb header (after the Ethernet header): 38. */
    public static final int HEADER_LENGTH = SLICE_OFFSET - ETHERNET_HEADER_LENGTH;
    /** Length of the Ethernet and lnlb headers together: 52. */
    public static final int FRAME_HEADER_LENGTH = SLICE_OFFSET;

    /** Verdict of {@link #check}: the header is sound. */
    public static final int OK = 0;
    /** Verdict: the frame is shorter than {@link #FRAME_HEADER_LENGTH}. */
    public static final int TRUNCATED = 1;
    /** Verdict: the EtherType is not {@link #ETHERTYPE}. */
    public static final int NOT_CLUSTER = 2;
    /** Verdict: the version is not {@link #VERSION}. */
    public static final int BAD_VERSION = 3;
    /** Verdict: a sound frame of another cluster (another VIP) sharing the device. */
    public static final int FOREIGN = 4;
    /** Verdict: the message type is not one this version knows. */
    public static final int UNKNOWN_TYPE = 5;
    /**
     * Verdict: a length field lies: the slice (and the trailer of a sealed frame) runs past the end
     * of the frame, is longer than the body, or a single-fragment message's slice is not the whole
     * body.
     */
    public static final int BAD_LENGTH = 6;
    /** Verdict: the total body length exceeds the receiver's limit. */
    public static final int OVERSIZED = 7;
    /**
     * Verdict: the fragment fields disagree: count 0 or above {@link #MAX_FRAGMENTS}, index not
     * below count, or slice lengths that do not tile the body into exactly {@code count} slices.
     */
    public static final int BAD_FRAGMENT = 8;

    private ByteBuffer buf;
    private int off;
    private boolean bigEndian;

    /** Points this view at a frame whose Ethernet header starts at {@code offset}. */
    public ClusterHeader wrap(ByteBuffer buffer, int offset) {
        this.buf = buffer;
        this.off = offset;
        this.bigEndian = buffer.order() == ByteOrder.BIG_ENDIAN;
        return this;
    }

    /**
     * Checks the header of a frame of {@code length} bytes (counted from the wrapped offset, which
     * the caller has made sure lie inside the buffer's limit) for a cluster whose VIP is
     * {@code vip} (16 bytes) and which accepts bodies up to {@code maxBodyLength} bytes. Returns
     * {@link #OK} or the first problem found, in the order the verdict constants are declared.
     */
    public int check(int length, byte[] vip, int maxBodyLength) {
        if (length < FRAME_HEADER_LENGTH) {
            return TRUNCATED;
        }
        if (etherType() != ETHERTYPE) {
            return NOT_CLUSTER;
        }
        if (version() != VERSION) {
            return BAD_VERSION;
        }
        if (!vipEquals(vip)) {
            return FOREIGN;
        }
        if (!ClusterMessage.isKnownType(type())) {
            return UNKNOWN_TYPE;
        }
        if (sliceLength() + trailerLength() > length - FRAME_HEADER_LENGTH) {
            return BAD_LENGTH;
        }
        if (totalLength() > maxBodyLength) {
            return OVERSIZED;
        }
        return checkFragment();
    }

    /** The fragment fields against each other; the slice is known to lie inside the frame. */
    private int checkFragment() {
        int count = fragmentCount();
        int index = fragmentIndex();
        if (count == 0 || count > MAX_FRAGMENTS || index >= count) {
            return BAD_FRAGMENT;
        }
        long total = totalLength();
        int slice = sliceLength();
        if (slice > total || (count == 1 && slice != total)) {
            return BAD_LENGTH;
        }
        if (count == 1) {
            return OK;
        }
        long full = fullSliceLength();
        if (full <= 0 || full > MAX_SLICE_LENGTH || slice > full) {
            return BAD_FRAGMENT;
        }
        // The body must need exactly count slices of length full: (count-1)*full < total <= count*full.
        // For the last fragment full was derived so that (count-1)*full + slice == total.
        if ((count - 1) * full >= total || count * full < total) {
            return BAD_FRAGMENT;
        }
        return OK;
    }

    /**
     * The length {@code S} of every slice but the last, as this fragment implies it: its own slice
     * length unless it is the last fragment, whose length gives {@code S = (total - slice) /
     * (count - 1)}; -1 when that does not divide. For a single fragment, the slice length.
     */
    public long fullSliceLength() {
        int count = fragmentCount();
        if (count <= 1 || fragmentIndex() != count - 1) {
            return sliceLength();
        }
        long rest = totalLength() - sliceLength();
        return rest % (count - 1) == 0 ? rest / (count - 1) : -1;
    }

    /** The cluster MAC the frame was sent to. */
    public long destination() {
        return NodeAddress.read(buf, off + DESTINATION_OFFSET);
    }

    /** The sender's node address. */
    public long source() {
        return NodeAddress.read(buf, off + SOURCE_OFFSET);
    }

    public int etherType() {
        return etherType(buf, off);
    }

    public int version() {
        return buf.get(off + VERSION_OFFSET) & 0xFF;
    }

    public int type() {
        return buf.get(off + TYPE_OFFSET) & 0xFF;
    }

    public int flags() {
        return u16(FLAGS_OFFSET);
    }

    /** True when the frame's VIP is these 16 bytes; false for any other array. */
    public boolean vipEquals(byte[] vip) {
        if (vip == null || vip.length != VIP_LENGTH) {
            return false;
        }
        for (int i = 0; i < VIP_LENGTH; i++) {
            if (buf.get(off + VIP_OFFSET + i) != vip[i]) {
                return false;
            }
        }
        return true;
    }

    /** Copies the VIP into {@code dst[0..16)}. */
    public byte[] vip(byte[] dst) {
        buf.get(off + VIP_OFFSET, dst, 0, VIP_LENGTH);
        return dst;
    }

    /** The sender's message id, an unsigned 32-bit counter that wraps. */
    public int messageId() {
        return i32(MESSAGE_ID_OFFSET);
    }

    public int fragmentIndex() {
        return u16(FRAGMENT_INDEX_OFFSET);
    }

    public int fragmentCount() {
        return u16(FRAGMENT_COUNT_OFFSET);
    }

    /** The whole body's length (u32). */
    public long totalLength() {
        return i32(TOTAL_LENGTH_OFFSET) & 0xFFFF_FFFFL;
    }

    /** The whole body's CRC32, as {@link java.util.zip.CRC32#getValue()} returns it. */
    public long crc() {
        return i32(CRC_OFFSET) & 0xFFFF_FFFFL;
    }

    public int sliceLength() {
        return u16(SLICE_LENGTH_OFFSET);
    }

    /** True when the frame carries a {@link MessageAuthenticator} trailer. */
    public boolean sealed() {
        return (flags() & FLAG_AUTHENTICATED) != 0;
    }

    /** Bytes after the slice that belong to the frame: the trailer of a sealed frame, else 0. */
    public int trailerLength() {
        return sealed() ? MessageAuthenticator.TRAILER_LENGTH : 0;
    }

    /** Absolute index of the trailer (just after the slice) in the buffer. */
    public int trailerIndex() {
        return sliceIndex() + sliceLength();
    }

    /** Absolute index of this fragment's slice in the buffer. */
    public int sliceIndex() {
        return off + SLICE_OFFSET;
    }

    /** The EtherType of the frame at {@code offset}: enough to route a frame to the cluster code. */
    public static int etherType(ByteBuffer buffer, int offset) {
        return (buffer.get(offset + ETHERTYPE_OFFSET) & 0xFF) << 8 | buffer.get(offset + ETHERTYPE_OFFSET + 1) & 0xFF;
    }

    private int u16(int field) {
        short value = buf.getShort(off + field);
        return (bigEndian ? value : Short.reverseBytes(value)) & 0xFFFF;
    }

    private int i32(int field) {
        int value = buf.getInt(off + field);
        return bigEndian ? value : Integer.reverseBytes(value);
    }

    /** The 16 VIP bytes for an address: IPv6 as is, IPv4 as {@code ::ffff:a.b.c.d}. */
    public static byte[] vipBytes(InetAddress address) {
        byte[] raw = address.getAddress();
        if (raw.length == VIP_LENGTH) {
            return raw;
        }
        byte[] vip = new byte[VIP_LENGTH];
        vip[10] = (byte) 0xFF;
        vip[11] = (byte) 0xFF;
        System.arraycopy(raw, 0, vip, 12, raw.length);
        return vip;
    }
}
