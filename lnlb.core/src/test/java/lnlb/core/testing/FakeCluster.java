package lnlb.core.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import lnlb.core.api.Cluster;
import lnlb.core.api.NodeAddress;

/** A cluster whose clock the test sets. Identity equality, as the engine's clusters have. */
public final class FakeCluster implements Cluster {
    private final String name;
    private final InetAddress vip;
    private final long localNode;
    public long now;

    public FakeCluster(String name, long now) {
        this(name, now, 0x02_00_00_00_00_01L);
    }

    public FakeCluster(String name, long now, long localNode) {
        this(name, vipOf(name), localNode, now);
    }

    /** A cluster with this VIP (and so its cluster MAC) and local node, as the fuzz harnesses need. */
    public FakeCluster(String name, InetAddress vip, long localNode, long now) {
        this.name = name;
        this.vip = vip;
        this.localNode = localNode;
        this.now = now;
    }

    /** 10.0.0.x, x from the name: clusters of different names have different VIPs. */
    private static InetAddress vipOf(String name) {
        try {
            return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) (name.hashCode() & 0x7F)});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetAddress vip() {
        return vip;
    }

    @Override
    public long clusterMac() {
        return NodeAddress.unicastClusterMac(vip);
    }

    @Override
    public long localNode() {
        return localNode;
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
