package lnlb.core.api.memory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The segment behind the {@code memory} link provider, registered with it as a service: every
 * cluster link it opens is a port of this segment, and a frame any port transmits reaches every
 * other port, one frame at a time in one order for all (as a switch floods). Clients attach here
 * to send frames to the clusters; listeners see every frame a node accepts.
 */
@ProviderType
public interface MemorySegment {
    /**
     * A port for a client with MAC {@code address}: what it transmits reaches every cluster link on
     * the segment. It receives nothing (the nodes' answers would go to their virtual interfaces).
     */
    ClientPort attach(long address);

    /** From now on, {@code listener} sees every frame a node accepts; until {@link #removeListener}. */
    void addListener(DeliveryListener listener);

    void removeListener(DeliveryListener listener);

    /** A client's port: sends whole Ethernet frames. */
    @ProviderType
    interface ClientPort extends Closeable {
        long address();

        /** Floods the frame ({@code position..limit}) to every other port, from the calling thread. */
        void transmit(ByteBuffer frame) throws IOException;

        /** Detaches the port; transmitting afterwards throws. */
        @Override
        void close();
    }

    /** Sees the frames the nodes accept. */
    @ConsumerType
    @FunctionalInterface
    interface DeliveryListener {
        /**
         * The node at {@code nodeAddress} handed {@code frame} ({@code position..limit}, read-only,
         * valid only during the call) to its virtual interface {@code interfaceName}. Called on that
         * cluster's event loop: keep it short and never block.
         */
        void delivered(String interfaceName, long nodeAddress, ByteBuffer frame);
    }
}
