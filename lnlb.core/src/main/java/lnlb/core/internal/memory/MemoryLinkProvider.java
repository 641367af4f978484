package lnlb.core.internal.memory;

import java.util.concurrent.atomic.AtomicLong;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.LinkProvider;
import lnlb.core.api.LinkSpec;
import org.osgi.service.component.annotations.Component;

/**
 * Links on one in-memory hub shared by the runtime ({@code lnlb.link.type=memory}): clusters with
 * no network at all, for integration tests and trying the shell. Each link gets a fresh
 * locally administered MAC.
 */
@Component(property = LinkProvider.TYPE + "=memory")
public final class MemoryLinkProvider implements LinkProvider {
    private static final AtomicLong NEXT_MAC = new AtomicLong(0x0600_0000_0001L);
    private final MemoryHub hub = MemoryHub.realtime();
    private final AtomicLong nextInterface = new AtomicLong();

    @Override
    public ClusterLink open(LinkSpec spec) {
        String name = spec.interfaceName() != null ? spec.interfaceName() : "mem" + nextInterface.getAndIncrement();
        return hub.attach(NEXT_MAC.getAndIncrement(), name, 1500);
    }

    public MemoryHub hub() {
        return hub;
    }
}
