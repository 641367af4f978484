package lnlb.core.api;

import java.net.InetAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Read-only view of one cluster, handed to every {@link ProtocolModule} call (the original's
 * {@code const struct lnlb_struct *}). Modules keep one table per Cluster; the instance is stable
 * from {@link ProtocolModule#clusterCreated} to {@link ProtocolModule#clusterDeleted}, so it may be
 * used as a map key.
 */
@ProviderType
public interface Cluster {
    /** Name of the cluster's virtual interface, e.g. {@code nlb0}. */
    String name();

    /** The cluster IP that every node shares. */
    InetAddress vip();

    /** The MAC every node answers ARP with; frames to it are flooded to every node. */
    long clusterMac();

    /** This node's address: the MAC of the bound device. */
    long localNode();

    /** Name of the bound (real) device, e.g. {@code eth0}. */
    String device();

    /**
     * The cluster's clock in milliseconds. Modules use it for ages and idle timeouts instead of
     * {@code System.currentTimeMillis()}, so simulations and tests control time.
     */
    long nowMillis();
}
