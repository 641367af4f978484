package lnlb.core.api;

import java.net.InetAddress;
import java.util.Objects;

/**
 * What a cluster asks of its link: the real device to bind, the name of the virtual interface to
 * create (or {@code null} for the next free {@code nlbN}), the VIP and the cluster MAC.
 */
public record LinkSpec(String device, String interfaceName, InetAddress vip, long clusterMac) {
    public LinkSpec {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(vip, "vip");
        if (!NodeAddress.isValid(clusterMac)) {
            throw new IllegalArgumentException("cluster MAC out of range: " + clusterMac);
        }
    }
}
