package lnlb.core.api;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The two sides of one cluster on one node: the bound (real) device, where every frame for the
 * cluster arrives and cluster messages leave, and the virtual interface, where the datagrams this
 * node accepts are handed to its kernel. Used by one thread at a time (the cluster's event loop),
 * except {@link #wakeup()}.
 */
@ProviderType
public interface ClusterLink extends Closeable {
    /** This node's address on the segment: the MAC of the bound device. */
    long nodeAddress();

    /** Largest Ethernet payload the bound device sends in one frame. */
    int mtu();

    /** Name of the virtual interface, e.g. {@code nlb0}. */
    String interfaceName();

    /**
     * Bytes of link metadata that precede every received frame in its buffer (for example a
     * virtio-net header) and that {@link #deliver} expects before the frame; 0 if none.
     */
    int headroom();

    /**
     * Waits up to {@code timeoutMillis} (0 = do not wait) for frames from the bound device and hands
     * each to {@code receiver}. Returns the number of frames handed over; returns early after
     * {@link #wakeup()}.
     */
    int poll(FrameReceiver receiver, long timeoutMillis) throws IOException;

    /** Makes a {@link #poll} in progress (or the next one) return at once. Any thread. */
    void wakeup();

    /** Sends a whole Ethernet frame ({@code position..limit}) out of the bound device. */
    void transmit(ByteBuffer frame) throws IOException;

    /**
     * Hands an accepted frame to this node's virtual interface. {@code buffer[offset, offset +
     * length)} is the Ethernet frame, preceded by {@link #headroom()} bytes as it was received.
     */
    void deliver(ByteBuffer buffer, int offset, int length) throws IOException;

    /**
     * What this link has done since it opened, name to value in a stable order, for the
     * operator's {@code stats}: names are lowercase and dotted ({@code received},
     * {@code receive.dropped}, ...), values only grow. Called on the cluster's event loop; a link
     * that keeps no counters returns an empty map (the default).
     *
     * @since 1.1
     */
    default Map<String, Long> countersByName() {
        return Map.of();
    }
}
