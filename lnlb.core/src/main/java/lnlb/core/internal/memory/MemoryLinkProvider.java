package lnlb.core.internal.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.LinkProvider;
import lnlb.core.api.LinkSpec;
import lnlb.core.api.memory.MemorySegment;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Links on one in-memory hub shared by the runtime ({@code lnlb.link.type=memory}): clusters with
 * no network at all, for integration tests and trying the shell. Each link gets a fresh
 * locally administered MAC. The same hub is the {@link MemorySegment} that clients attach to.
 */
@Component(service = {LinkProvider.class, MemorySegment.class}, property = LinkProvider.TYPE + "=memory")
public final class MemoryLinkProvider implements LinkProvider, MemorySegment {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryLinkProvider.class);
    private static final AtomicLong NEXT_MAC = new AtomicLong(0x0600_0000_0001L);
    private final MemoryHub hub = MemoryHub.realtime();
    private final AtomicLong nextInterface = new AtomicLong();
    private final List<DeliveryListener> listeners = new CopyOnWriteArrayList<>();

    public MemoryLinkProvider() {
        hub.setDeliveryListener(this::delivered);
    }

    @Override
    public ClusterLink open(LinkSpec spec) {
        String name = spec.interfaceName() != null ? spec.interfaceName() : "mem" + nextInterface.getAndIncrement();
        return hub.attach(NEXT_MAC.getAndIncrement(), name, 1500);
    }

    public MemoryHub hub() {
        return hub;
    }

    @Override
    public ClientPort attach(long address) {
        MemoryLink port = hub.attachTransmitter(address, "client");
        return new ClientPort() {
            @Override
            public long address() {
                return address;
            }

            @Override
            public void transmit(ByteBuffer frame) throws IOException {
                port.transmit(frame);
            }

            @Override
            public void close() {
                port.close();
            }
        };
    }

    @Override
    public void addListener(DeliveryListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(DeliveryListener listener) {
        listeners.remove(listener);
    }

    /** On the accepting cluster's loop: a listener that throws is logged, never the engine's problem. */
    private void delivered(MemoryLink link, ByteBuffer buffer, int offset, int length) {
        if (listeners.isEmpty()) {
            return;
        }
        ByteBuffer frame = buffer.asReadOnlyBuffer().limit(offset + length).position(offset).slice();
        for (DeliveryListener listener : listeners) {
            try {
                listener.delivered(link.interfaceName(), link.nodeAddress(), frame.duplicate());
            } catch (RuntimeException e) {
                LOG.warn("memory segment: delivery listener {} failed: {}", listener, e.toString());
            }
        }
    }
}
