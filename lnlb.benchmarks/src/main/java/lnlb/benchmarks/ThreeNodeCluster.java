package lnlb.benchmarks;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.ClusterRunner;
import lnlb.core.api.run.ClusterView;
import lnlb.core.api.run.MemoryNetwork;
import lnlb.core.api.run.NodeState;
import lnlb.core.api.run.RunningCluster;
import lnlb.core.api.run.VirtualClock;
import lnlb.module.dflt.internal.DefaultTracker;

/**
 * Three nodes of one cluster on an in-memory network in virtual time ({@link ClusterRunner}), joined
 * one after the other until all three are MEMBERs of the same view (as
 * {@code SimulatedCluster.startAndJoin} does).
 *
 * <p>Once formed, time is never advanced again: no timer runs (no heartbeat, no expiry, no death),
 * so the view stays put and a benchmark can hand frames to one node's
 * {@link RunningCluster#receiver} directly from its own thread. Frames that node accepts go to the
 * network's default delivery listener, a no-op.
 */
final class ThreeNodeCluster {
    static final String VIP = "192.0.2.10";
    static final long HEARTBEAT_MILLIS = 100;
    static final int TOLERANCE = 3;
    static final long[] MACS = {0x0200_0000_0001L, 0x0200_0000_0002L, 0x0200_0000_0003L};

    final VirtualClock time = new VirtualClock(1_000_000);
    final MemoryNetwork hub = MemoryNetwork.simulated(time, 1);
    final ClusterConfig config;
    final RunningCluster[] nodes = new RunningCluster[MACS.length];
    final DefaultTracker[] trackers = new DefaultTracker[MACS.length];
    final int vip;

    /** Forms the cluster; every node's default tracker holds at most {@code maxEntries} clients. */
    ThreeNodeCluster(int maxEntries) {
        InetAddress address = address(VIP);
        config = ClusterConfig.of("nlb0", address, "eth0", HEARTBEAT_MILLIS, TOLERANCE);
        vip = ByteBuffer.wrap(address.getAddress()).getInt();
        for (int i = 0; i < MACS.length; i++) {
            trackers[i] = new DefaultTracker(1_800_000, maxEntries);
            nodes[i] = ClusterRunner.of(config, hub.attach(MACS[i], "eth0", 1500))
                    .weights(() -> 1)
                    .module(ProtocolModule.DEFAULT_HANDLER, trackers[i])
                    .virtualTime(time)
                    .build();
        }
        for (int i = 0; i < MACS.length; i++) {
            nodes[i].start();
            int started = i + 1;
            if (!time.runUntil(() -> converged(started), 60_000)) {
                throw new IllegalStateException("node " + NodeAddress.format(MACS[i]) + " did not join: "
                        + nodes[i].state());
            }
        }
        // Settle: let the last COMMITTED and heartbeats land, then stop the clock for good.
        time.runFor(5 * HEARTBEAT_MILLIS);
        if (!converged(MACS.length)) {
            throw new IllegalStateException("cluster did not stay converged");
        }
    }

    /** The node a benchmark drives: the last node to join, a plain (non-coordinator) member. */
    RunningCluster node() {
        return nodes[MACS.length - 1];
    }

    DefaultTracker tracker() {
        return trackers[MACS.length - 1];
    }

    long clusterMac() {
        return config.clusterMac();
    }

    private boolean converged(int started) {
        ClusterView first = null;
        for (int i = 0; i < started; i++) {
            if (nodes[i].state() != NodeState.MEMBER) {
                return false;
            }
            ClusterView view = nodes[i].view();
            if (first == null) {
                first = view;
            } else if (first.epoch() != view.epoch() || !first.sameMembership(view)) {
                return false;
            }
        }
        return first != null && first.size() == started;
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
