package lnlb.core.api.run;

import java.nio.ByteBuffer;
import lnlb.core.api.ClusterLink;
import lnlb.core.internal.memory.MemoryHub;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An in-memory Ethernet segment for clusters run by {@link ClusterRunner} without a network: every
 * port's frames reach every other port, one frame at a time in one order for all (as a switch
 * floods), never the sender's own. In virtual time, delivery takes {@code latencyMillis} of the
 * {@link VirtualClock}. With fault injection ({@link #setFilter}) and a view of what each node
 * accepts ({@link #setDeliveryListener}). (Inside a framework, the {@code memory} link provider's
 * segment is the service {@link lnlb.core.api.memory.MemorySegment}.)
 */
public final class MemoryNetwork {
    /** Decides whether a frame from one port reaches another; true = deliver. */
    @ConsumerType
    @FunctionalInterface
    public interface Filter {
        boolean pass(ClusterLink from, ClusterLink to, byte[] frame);
    }

    /** Sees every frame a port's node accepts (hands to its virtual interface). */
    @ConsumerType
    @FunctionalInterface
    public interface DeliveryListener {
        void delivered(ClusterLink link, ByteBuffer buffer, int offset, int length);
    }

    private final MemoryHub hub;

    private MemoryNetwork(MemoryHub hub) {
        this.hub = hub;
    }

    /** Frames reach the other ports at once, from the sender's thread. */
    public static MemoryNetwork realtime() {
        return new MemoryNetwork(MemoryHub.realtime());
    }

    /** Frames reach every other port {@code latencyMillis} later in virtual time, in one step. */
    public static MemoryNetwork simulated(VirtualClock clock, long latencyMillis) {
        return new MemoryNetwork(MemoryHub.simulated(clock.time(), latencyMillis));
    }

    /** A new port with MAC {@code mac}, for a cluster (or a client that also receives). */
    public ClusterLink attach(long mac, String interfaceName, int mtu) {
        return hub.attach(mac, interfaceName, mtu);
    }

    /** A port that only transmits (a client): what is flooded to it is dropped, not queued. */
    public ClusterLink attachTransmitter(long mac, String interfaceName) {
        return hub.attachTransmitter(mac, interfaceName);
    }

    public void setFilter(Filter filter) {
        hub.setFilter(filter::pass);
    }

    public void setDeliveryListener(DeliveryListener listener) {
        hub.setDeliveryListener(listener::delivered);
    }

    /** Frames flooded so far. */
    public long framesFlooded() {
        return hub.framesFlooded();
    }
}
