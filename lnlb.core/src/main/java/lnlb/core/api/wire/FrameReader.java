package lnlb.core.api.wire;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import lnlb.core.api.NodeAddress;
import lnlb.core.internal.wire.Reassembler;
import lnlb.core.internal.wire.ReceivedMessage;
import lnlb.core.internal.wire.WireCounters;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Takes cluster frames as a node's receiving side does: checks each header, opens sealed frames
 * with the authenticator, puts fragments back together within bounded memory, checks the body's
 * CRC and decodes it, and counts every frame under one outcome (the wire counters a cluster
 * reports, {@link lnlb.core.api.run.ClusterCounters#wire()}). For replaying captured or forged
 * frames offline and for fuzzing the receiving code. Never throws, whatever the frame. Not
 * thread-safe.
 */
@ProviderType
public final class FrameReader {
    public static final int DEFAULT_MAX_MESSAGE_BYTES = Reassembler.DEFAULT_MAX_MESSAGE_BYTES;
    public static final int DEFAULT_MAX_PENDING = Reassembler.DEFAULT_MAX_PENDING;
    public static final long DEFAULT_MAX_PENDING_BYTES = Reassembler.DEFAULT_MAX_PENDING_BYTES;
    public static final long DEFAULT_TIMEOUT_MILLIS = Reassembler.DEFAULT_TIMEOUT_MILLIS;

    /** A whole message taken: its sender (the frame's source MAC), the sender's message id and the message. */
    public record Received(long sender, int messageId, WireMessage message) {
        @Override
        public String toString() {
            return "Received[sender=" + NodeAddress.format(sender) + ", messageId="
                    + Integer.toUnsignedString(messageId) + ", message=" + message + "]";
        }
    }

    private final Reassembler reassembler;

    /** A reader for the cluster of this VIP with a node's default bounds. */
    public FrameReader(InetAddress vip) {
        this(FrameHeader.vipBytes(vip));
    }

    /** A reader for the cluster whose VIP is these 16 bytes, with a node's default bounds. */
    public FrameReader(byte[] vip16) {
        this.reassembler = new Reassembler(vip16.clone());
    }

    /**
     * A reader with its own bounds (a sender's quota is one largest message).
     *
     * @param maxMessageBytes the largest body taken
     * @param maxPending the most partial messages held at once (at least 1)
     * @param maxPendingBytes the bytes partial messages may hold at once (whole chunks)
     * @param timeoutMillis how long after its first fragment a partial message is dropped
     */
    public FrameReader(byte[] vip16, int maxMessageBytes, int maxPending, long maxPendingBytes, long timeoutMillis) {
        this.reassembler = new Reassembler(vip16.clone(), maxMessageBytes, maxPending, maxPendingBytes, timeoutMillis);
    }

    /** Takes only frames sealed with this key from now on (null: only unsealed frames). */
    public FrameReader openWith(FrameAuthenticator authenticator) {
        reassembler.setAuthenticator(authenticator == null ? null : authenticator.authenticator);
        return this;
    }

    /**
     * Takes one Ethernet frame: {@code length} bytes of {@code buffer} from the absolute index
     * {@code offset} (any range, even outside the buffer, or a null buffer: counted as truncated).
     * Reads only; the buffer does not move.
     *
     * @param nowMillis the clock of reassembly timeouts
     * @return the message this frame completes, or null (refused, or more fragments to come)
     */
    public Received accept(ByteBuffer buffer, int offset, int length, long nowMillis) {
        ReceivedMessage received = reassembler.accept(buffer, offset, length, nowMillis);
        return received == null ? null
                : new Received(received.sender(), received.messageId(), new WireMessage(received.message()));
    }

    /** {@link #accept(ByteBuffer, int, int, long)} of a whole array. */
    public Received accept(byte[] frame, long nowMillis) {
        return accept(ByteBuffer.wrap(frame), 0, frame.length, nowMillis);
    }

    /** Drops the partial messages whose time is up ({@link #accept} does it too). */
    public void expire(long nowMillis) {
        reassembler.expire(nowMillis);
    }

    /** Every wire counter by name, in a stable order: {@code received}, then the outcomes, then per message. */
    public Map<String, Long> counters() {
        return reassembler.counters().snapshot();
    }

    /** Frames taken so far. */
    public long received() {
        return reassembler.counters().received();
    }

    /** The sum of the frame outcomes: equals {@link #received()}, each frame ends in exactly one. */
    public long accounted() {
        return reassembler.counters().accounted();
    }

    /** Partial messages held now. */
    public int pendingMessages() {
        return reassembler.pendingMessages();
    }

    /** Body bytes held by partial messages now, in whole chunks. */
    public long pendingBytes() {
        return reassembler.pendingBytes();
    }

    /** Bytes of body chunks that exist now, held or kept for reuse. */
    public long allocatedBytes() {
        return reassembler.allocatedBytes();
    }

    /** {@code received=12 decoded=3 ...}: the non-zero counters. */
    @Override
    public String toString() {
        WireCounters c = reassembler.counters();
        return c.toString();
    }
}
