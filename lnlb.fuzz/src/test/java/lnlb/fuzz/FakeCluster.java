package lnlb.fuzz;

import java.net.InetAddress;
import lnlb.core.api.Cluster;

/** A cluster whose clock the harness sets; identity equality, like the engine's clusters. */
final class FakeCluster implements Cluster {
    long now;

    FakeCluster(long now) {
        this.now = now;
    }

    @Override
    public String name() {
        return "fuzz0";
    }

    @Override
    public InetAddress vip() {
        return Wire.VIP;
    }

    @Override
    public long clusterMac() {
        return Wire.CLUSTER_MAC;
    }

    @Override
    public long localNode() {
        return Wire.SELF;
    }

    @Override
    public String device() {
        return "eth0";
    }

    @Override
    public long nowMillis() {
        return now;
    }
}
