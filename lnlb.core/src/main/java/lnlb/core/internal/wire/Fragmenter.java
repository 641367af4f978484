package lnlb.core.internal.wire;

import static lnlb.core.internal.wire.ClusterHeader.CRC_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.DESTINATION_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.ETHERNET_HEADER_LENGTH;
import static lnlb.core.internal.wire.ClusterHeader.ETHERTYPE;
import static lnlb.core.internal.wire.ClusterHeader.ETHERTYPE_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.FLAGS_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.FRAGMENT_COUNT_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.FRAGMENT_INDEX_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.HEADER_LENGTH;
import static lnlb.core.internal.wire.ClusterHeader.MAX_FRAGMENTS;
import static lnlb.core.internal.wire.ClusterHeader.MAX_SLICE_LENGTH;
import static lnlb.core.internal.wire.ClusterHeader.MESSAGE_ID_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.SLICE_LENGTH_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.SLICE_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.SOURCE_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.TOTAL_LENGTH_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.TYPE_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.VERSION;
import static lnlb.core.internal.wire.ClusterHeader.VERSION_OFFSET;
import static lnlb.core.internal.wire.ClusterHeader.VIP_LENGTH;
import static lnlb.core.internal.wire.ClusterHeader.VIP_OFFSET;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import lnlb.core.api.NodeAddress;

/**
 * Splits a message into cluster frames (layout on {@link ClusterHeader}) and hands each to a
 * {@link FrameSink}. Every fragment but the last carries a full slice of {@code mtu -
 * HEADER_LENGTH} body bytes, less {@link MessageAuthenticator#TRAILER_LENGTH} when frames are
 * sealed (each frame then ends with its own counter and tag); an empty body still takes one frame. Frames shorter than the Ethernet
 * minimum are not padded (the NIC does that, and receivers ignore padding).
 *
 * <p>One instance per cluster loop: the frame buffer (direct, {@code 14 + mtu} bytes) and a
 * small body buffer are reused from message to message; only bodies larger than
 * {@value #RETAINED_BODY} bytes get a buffer of their own, which is dropped after the send.
 */
public final class Fragmenter {
    /** Bodies up to this size are encoded into a retained buffer. */
    static final int RETAINED_BODY = 64 * 1024;

    private final int mtu;
    private final int maxMessageBytes;
    private final ByteBuffer frame;
    private final CRC32 crc = new CRC32();
    private ByteBuffer body = ByteBuffer.allocate(0);
    private MessageAuthenticator authenticator;
    private int sliceLength;

    /**
     * @param mtu the Ethernet payload size (e.g. 1500); a slice is {@code mtu - 38} bytes
     *     ({@code mtu - 62} when sealed), at least 1 and at most 65535
     * @param maxMessageBytes the largest body to send; receivers should accept at least as much
     */
    public Fragmenter(int mtu, int maxMessageBytes) {
        if (mtu <= HEADER_LENGTH || mtu - HEADER_LENGTH > MAX_SLICE_LENGTH) {
            throw new IllegalArgumentException("mtu must be in (" + HEADER_LENGTH + ", "
                    + (HEADER_LENGTH + MAX_SLICE_LENGTH) + "]: " + mtu);
        }
        if (maxMessageBytes < 0) {
            throw new IllegalArgumentException("maxMessageBytes must not be negative: " + maxMessageBytes);
        }
        this.mtu = mtu;
        this.sliceLength = mtu - HEADER_LENGTH;
        this.maxMessageBytes = maxMessageBytes;
        this.frame = ByteBuffer.allocateDirect(ETHERNET_HEADER_LENGTH + mtu);
    }

    public int mtu() {
        return mtu;
    }

    /** The body bytes carried by every fragment but the last. */
    public int sliceLength() {
        return sliceLength;
    }

    /** The number of frames a body of {@code bodyLength} bytes takes: {@code max(1, ceil(n / slice))}. */
    public long fragmentCount(long bodyLength) {
        return bodyLength == 0 ? 1 : (bodyLength + sliceLength - 1) / sliceLength;
    }

    /**
     * Encodes {@code message} and hands its frames, in fragment order, to {@code sink}.
     *
     * @param vip the cluster VIP, 16 bytes (see {@link ClusterHeader#vipBytes})
     * @param source this node's MAC
     * @param destination the cluster MAC
     * @param messageId the sender's message id (u32, wraps)
     * @return the number of frames sent
     * @throws IllegalArgumentException if the body exceeds {@code maxMessageBytes} or needs more
     *     than {@link ClusterHeader#MAX_FRAGMENTS} frames, or an address is malformed
     */
    public int send(ClusterMessage message, byte[] vip, long source, long destination, int messageId,
            FrameSink sink) {
        if (vip.length != VIP_LENGTH || !NodeAddress.isValid(source) || !NodeAddress.isValid(destination)) {
            throw new IllegalArgumentException("bad VIP or MAC");
        }
        MessageAuthenticator auth = authenticator;
        long length = MessageCodec.bodyLength(message);
        long count = fragmentCount(length);
        if (length > maxMessageBytes || count > MAX_FRAGMENTS) {
            throw new IllegalArgumentException(ClusterMessage.typeName(message.type()) + " body of " + length
                    + " bytes exceeds the limit of " + maxMessageBytes + " bytes or " + MAX_FRAGMENTS + " fragments");
        }
        ByteBuffer encoded = bodyBuffer((int) length);
        MessageCodec.encode(message, encoded, 0);
        crc.reset();
        crc.update(encoded.array(), 0, (int) length);
        int sum = (int) crc.getValue();
        for (int index = 0; index < count; index++) {
            int from = index * sliceLength;
            int slice = Math.min(sliceLength, (int) length - from);
            writeHeader(message.type(), auth != null ? ClusterHeader.FLAG_AUTHENTICATED : 0, vip, source, destination,
                    messageId);
            frame.putShort(FRAGMENT_INDEX_OFFSET, (short) index);
            frame.putShort(FRAGMENT_COUNT_OFFSET, (short) count);
            frame.putInt(TOTAL_LENGTH_OFFSET, (int) length);
            frame.putInt(CRC_OFFSET, sum);
            frame.putShort(SLICE_LENGTH_OFFSET, (short) slice);
            frame.put(SLICE_OFFSET, encoded.array(), from, slice);
            int end = SLICE_OFFSET + slice;
            if (auth != null) {
                auth.seal(frame, end);
                end += MessageAuthenticator.TRAILER_LENGTH;
            }
            frame.limit(end).position(0);
            sink.frame(frame);
        }
        return (int) count;
    }

    /**
     * Seals every frame sent from now on (null: none); sealed frames carry shorter slices.
     *
     * @throws IllegalArgumentException if the MTU leaves no room for a slice and the trailer
     */
    public void setAuthenticator(MessageAuthenticator authenticator) {
        int slice = mtu - HEADER_LENGTH - (authenticator != null ? MessageAuthenticator.TRAILER_LENGTH : 0);
        if (slice < 1) {
            throw new IllegalArgumentException("mtu " + mtu + " leaves no room for a sealed slice");
        }
        this.authenticator = authenticator;
        this.sliceLength = slice;
    }

    private void writeHeader(int type, int flags, byte[] vip, long source, long destination, int messageId) {
        frame.clear();
        NodeAddress.write(frame, DESTINATION_OFFSET, destination);
        NodeAddress.write(frame, SOURCE_OFFSET, source);
        frame.putShort(ETHERTYPE_OFFSET, (short) ETHERTYPE);
        frame.put(VERSION_OFFSET, (byte) VERSION);
        frame.put(TYPE_OFFSET, (byte) type);
        frame.putShort(FLAGS_OFFSET, (short) flags);
        frame.put(VIP_OFFSET, vip, 0, VIP_LENGTH);
        frame.putInt(MESSAGE_ID_OFFSET, messageId);
    }

    /** A heap buffer of at least {@code length} bytes: the retained one when it is small enough. */
    private ByteBuffer bodyBuffer(int length) {
        if (length > RETAINED_BODY) {
            return ByteBuffer.allocate(length);
        }
        if (body.capacity() < length) {
            body = ByteBuffer.allocate(RETAINED_BODY);
        }
        return body;
    }
}
