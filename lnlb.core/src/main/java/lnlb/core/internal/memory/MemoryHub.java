package lnlb.core.internal.memory;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import lnlb.core.internal.loop.VirtualTime;

/**
 * An Ethernet segment in memory: every frame sent by one port is flooded to every other port, in
 * the order the hub received it, as a switch floods a destination it never learned (the cluster
 * MAC is never a source). Connects any number of simulated nodes for simulations, tests and the
 * demo. Two timings: {@link #realtime()} hands frames straight to the receiving ports' queues;
 * {@link #simulated} delivers them after a latency in {@link VirtualTime}, deterministically.
 */
public final class MemoryHub {
    /** Decides whether a frame from one port reaches another (fault injection); true = deliver. */
    @FunctionalInterface
    public interface Filter {
        boolean pass(MemoryLink from, MemoryLink to, byte[] frame);
    }

    /** Sees every frame a port's virtual interface accepts. */
    @FunctionalInterface
    public interface DeliveryListener {
        void delivered(MemoryLink link, ByteBuffer buffer, int offset, int length);
    }

    private final VirtualTime time;
    private final long latencyMillis;
    private final List<MemoryLink> ports = new CopyOnWriteArrayList<>();
    private volatile Filter filter = (from, to, frame) -> true;
    private volatile DeliveryListener deliveryListener = (link, buffer, offset, length) -> { };
    private long frames;

    private MemoryHub(VirtualTime time, long latencyMillis) {
        this.time = time;
        this.latencyMillis = latencyMillis;
    }

    /** Frames reach the other ports at once, from the sender's thread. */
    public static MemoryHub realtime() {
        return new MemoryHub(null, 0);
    }

    /** Frames reach every other port {@code latencyMillis} later in virtual time, in one step. */
    public static MemoryHub simulated(VirtualTime time, long latencyMillis) {
        return new MemoryHub(time, latencyMillis);
    }

    /** A new port with the given MAC; its virtual interface is called {@code interfaceName}. */
    public MemoryLink attach(long mac, String interfaceName, int mtu) {
        MemoryLink link = new MemoryLink(this, mac, interfaceName, mtu, time == null, true);
        ports.add(link);
        return link;
    }

    /** A port that only transmits (a client): what is flooded to it is dropped, not queued. */
    public MemoryLink attachTransmitter(long mac, String interfaceName) {
        MemoryLink link = new MemoryLink(this, mac, interfaceName, 1500, time == null, false);
        ports.add(link);
        return link;
    }

    void detach(MemoryLink link) {
        ports.remove(link);
    }

    public void setFilter(Filter filter) {
        this.filter = filter;
    }

    public void setDeliveryListener(DeliveryListener listener) {
        this.deliveryListener = listener;
    }

    public long framesFlooded() {
        return frames;
    }

    void flood(MemoryLink from, byte[] frame) {
        if (time == null) {
            floodNow(from, frame);
        } else {
            time.at(latencyMillis, () -> floodNow(from, frame));
        }
    }

    // Synchronized: frames sent by several threads at once (clients, the nodes' loops) reach every
    // port in the same order, as through a switch; a COMMIT must split every node's stream alike.
    private synchronized void floodNow(MemoryLink from, byte[] frame) {
        frames++;
        Filter current = filter;
        for (MemoryLink port : ports) {
            if (port != from && current.pass(from, port, frame)) {
                port.receive(frame);
            }
        }
    }

    void delivered(MemoryLink link, ByteBuffer buffer, int offset, int length) {
        deliveryListener.delivered(link, buffer, offset, length);
    }
}
