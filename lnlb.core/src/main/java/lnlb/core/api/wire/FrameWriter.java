package lnlb.core.api.wire;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import lnlb.core.internal.wire.Fragmenter;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Writes a message as the frames a node of a cluster sends for it: Ethernet and cluster headers,
 * the body cut into slices for the MTU, each frame sealed when an authenticator is set. Any sender
 * MAC, destination and message id may be given: this is how a forger or a fuzzer speaks for
 * another node. The same code as the engine's sender. Not thread-safe.
 */
@ProviderType
public final class FrameWriter {
    private final byte[] vip;
    private final Fragmenter fragmenter;

    /**
     * A writer for the cluster of this VIP.
     *
     * @param mtu the Ethernet payload size (e.g. 1500): a slice is {@code mtu - }{@link
     *     FrameHeader#HEADER_LENGTH} bytes, less {@link FrameHeader#TRAILER_LENGTH} when sealed
     * @param maxMessageBytes the largest body written
     * @throws IllegalArgumentException if the MTU leaves no room for a slice
     */
    public FrameWriter(InetAddress vip, int mtu, int maxMessageBytes) {
        this(FrameHeader.vipBytes(vip), mtu, maxMessageBytes);
    }

    /** A writer for the cluster whose VIP is these 16 bytes ({@link FrameHeader#vipBytes}). */
    public FrameWriter(byte[] vip16, int mtu, int maxMessageBytes) {
        if (vip16.length != FrameHeader.VIP_LENGTH) {
            throw new IllegalArgumentException("a VIP is 16 bytes: " + vip16.length);
        }
        this.vip = vip16.clone();
        this.fragmenter = new Fragmenter(mtu, maxMessageBytes);
    }

    /**
     * Seals every frame written from now on with {@code authenticator} (null: none); sealed frames
     * carry shorter slices.
     *
     * @throws IllegalArgumentException if the MTU leaves no room for a sealed slice
     */
    public FrameWriter sealWith(FrameAuthenticator authenticator) {
        fragmenter.setAuthenticator(authenticator == null ? null : authenticator.authenticator);
        return this;
    }

    /**
     * The frames of {@code message} from {@code source} to {@code destination} (a cluster MAC, see
     * {@link lnlb.core.api.NodeAddress#unicastClusterMac}) under {@code messageId}, each a whole
     * Ethernet frame in a new array, in sending order.
     *
     * @throws IllegalArgumentException if a MAC is not 48 bits or the body is too long
     */
    public List<byte[]> frames(WireMessage message, long source, long destination, int messageId) {
        List<byte[]> frames = new ArrayList<>();
        write(message, source, destination, messageId, frames::add);
        return frames;
    }

    /** {@link #frames}, each frame handed to {@code sink} as it is written; returns the number of frames. */
    public int write(WireMessage message, long source, long destination, int messageId, Consumer<byte[]> sink) {
        return fragmenter.send(message.message, vip, source, destination, messageId, frame -> {
            byte[] copy = new byte[frame.remaining()];
            frame.get(frame.position(), copy);
            sink.accept(copy);
        });
    }

    /** The number of frames a body of {@code bodyLength} bytes takes with this MTU and sealing. */
    public long fragmentCount(long bodyLength) {
        return fragmenter.fragmentCount(bodyLength);
    }

    /** The body bytes every frame but the last carries. */
    public int sliceLength() {
        return fragmenter.sliceLength();
    }

    /** The 16 VIP bytes this writer puts in every frame. */
    public byte[] vip() {
        return vip.clone();
    }
}
