package lnlb.tap.lab;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.LinkSpec;
import lnlb.core.api.NodeAddress;
import lnlb.tap.internal.LinuxLinkProvider;
import lnlb.tap.internal.TapLink;

/**
 * A one-node stand-in for the engine, to prove the Linux data path in the lab: every frame for the
 * cluster MAC is delivered to this node, ARP requests for the VIP too, and everything else (cluster
 * messages) is ignored. Runs until SIGTERM/SIGINT, then closes the link (TAP removed, sysctls back).
 *
 * <pre>java -cp ... lnlb.tap.lab.AcceptAllNode --device eth0 --vip 10.77.0.100 [--name nlb0]</pre>
 *
 * Prints {@code READY <interface> <cluster MAC> <node MAC>} once the link is open and
 * {@code CLOSED <counters>} when it is closed.
 */
public final class AcceptAllNode implements FrameReceiver {
    private static final int ETHERTYPE_ARP = 0x0806;

    private final ClusterLink link;
    private final long clusterMac;
    private final int vip;
    private final int headroom;
    private long errors;

    private AcceptAllNode(ClusterLink link, long clusterMac, int vip) {
        this.link = link;
        this.clusterMac = clusterMac;
        this.vip = vip;
        this.headroom = link.headroom();
    }

    @Override
    public void onFrame(ByteBuffer buffer, int offset, int length) {
        boolean mine = NodeAddress.read(buffer, offset) == clusterMac;
        boolean arpForVip = (buffer.getShort(offset + 12) & 0xFFFF) == ETHERTYPE_ARP
                && length >= 42 && buffer.getInt(offset + 38) == vip;
        if (mine && (buffer.getShort(offset + 12) & 0xFFFF) == 0x88B5) {
            return;                                           // a cluster message: not for the kernel
        }
        if (mine || arpForVip) {
            try {
                link.deliver(buffer, offset, length);
            } catch (java.io.IOException e) {
                if (errors++ == 0) {
                    System.err.println("deliver: " + e.getMessage());
                }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String device = "eth0";
        String vipText = null;
        String name = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device": device = args[++i]; break;
                case "--vip": vipText = args[++i]; break;
                case "--name": name = args[++i]; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (usage: --device DEV --vip VIP [--name NAME])");
            }
        }
        if (vipText == null) {
            throw new IllegalArgumentException("--vip is required");
        }
        InetAddress vip = InetAddress.getByName(vipText);
        long clusterMac = NodeAddress.unicastClusterMac(vip);
        LinuxLinkProvider provider = new LinuxLinkProvider();
        TapLink link;
        try {
            link = provider.open(new LinkSpec(device, name, vip, clusterMac));
        } catch (java.io.IOException e) {
            System.err.println("FAILED " + e.getMessage());
            System.exit(2);
            return;
        }
        AcceptAllNode node = new AcceptAllNode(link, clusterMac, ByteBuffer.wrap(vip.getAddress()).getInt());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread loop = new Thread(() -> {
            try {
                while (link.isOpen()) {
                    link.poll(node, 1000);
                }
            } catch (java.io.IOException e) {
                if (link.isOpen()) {
                    System.err.println("poll: " + e.getMessage());
                }
            } finally {
                stopped.countDown();
            }
        }, "lnlb-loop");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            link.close();
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.println("CLOSED " + link.counters());
            System.out.flush();
        }, "lnlb-stop"));
        System.out.println("READY " + link.interfaceName() + " " + NodeAddress.format(clusterMac) + " "
                + NodeAddress.format(link.nodeAddress()));
        System.out.flush();
        loop.start();
        loop.join();
    }
}
