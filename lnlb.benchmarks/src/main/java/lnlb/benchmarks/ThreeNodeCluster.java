package lnlb.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.internal.engine.ClusterConfig;
import lnlb.core.internal.engine.ClusterEngine;
import lnlb.core.internal.engine.View;
import lnlb.core.internal.loop.VirtualTime;
import lnlb.core.internal.memory.MemoryHub;
import lnlb.core.internal.memory.MemoryLink;
import lnlb.module.dflt.internal.DefaultTracker;

/**
 * Three engines of one cluster on an in-memory hub in virtual time, joined one after the other
 * until all three are MEMBERs of the same view (as {@code SimulatedCluster.startAndJoin} does).
 *
 * <p>Once formed, time is never advanced again: no timer runs (no heartbeat, no expiry, no death),
 * so the view stays put and a benchmark can call {@link ClusterEngine#onFrame} of one engine
 * directly from its own thread. Frames that engine accepts go to the hub's default delivery
 * listener, a no-op.
 */
final class ThreeNodeCluster {
    static final String VIP = "192.0.2.10";
    static final long HEARTBEAT_MILLIS = 100;
    static final int TOLERANCE = 3;
    static final long[] MACS = {0x0200_0000_0001L, 0x0200_0000_0002L, 0x0200_0000_0003L};

    final VirtualTime time = new VirtualTime(1_000_000);
    final MemoryHub hub = MemoryHub.simulated(time, 1);
    final ClusterConfig config;
    final ClusterEngine[] engines = new ClusterEngine[MACS.length];
    final DefaultTracker[] trackers = new DefaultTracker[MACS.length];
    final int vip;

    /** Forms the cluster; every node's default tracker holds at most {@code maxEntries} clients. */
    ThreeNodeCluster(int maxEntries) {
        InetAddress address = address(VIP);
        config = ClusterConfig.of("nlb0", address, "eth0", HEARTBEAT_MILLIS, TOLERANCE);
        vip = ByteBuffer.wrap(address.getAddress()).getInt();
        for (int i = 0; i < MACS.length; i++) {
            MemoryLink link = hub.attach(MACS[i], "eth0", 1500);
            ClusterEngine engine = new ClusterEngine(config, link, time.newLoop(), () -> 1);
            link.onReadable(() -> drain(link, engine));
            engines[i] = engine;
            trackers[i] = new DefaultTracker(1_800_000, maxEntries);
        }
        for (int i = 0; i < MACS.length; i++) {
            engines[i].serve(ProtocolModule.DEFAULT_HANDLER, trackers[i]);
            engines[i].start();
            int started = i + 1;
            if (!time.runUntil(() -> converged(started), 60_000)) {
                throw new IllegalStateException("node " + NodeAddress.format(MACS[i]) + " did not join: "
                        + engines[i].state());
            }
        }
        // Settle: let the last COMMITTED and heartbeats land, then stop the clock for good.
        time.runFor(5 * HEARTBEAT_MILLIS);
        if (!converged(MACS.length)) {
            throw new IllegalStateException("cluster did not stay converged");
        }
    }

    /** The engine a benchmark drives: the last node to join, a plain (non-coordinator) member. */
    ClusterEngine engine() {
        return engines[MACS.length - 1];
    }

    DefaultTracker tracker() {
        return trackers[MACS.length - 1];
    }

    long clusterMac() {
        return config.clusterMac();
    }

    private boolean converged(int started) {
        View first = null;
        for (int i = 0; i < started; i++) {
            if (engines[i].state() != ClusterEngine.State.MEMBER) {
                return false;
            }
            View view = engines[i].view();
            if (first == null) {
                first = view;
            } else if (first.epoch() != view.epoch() || !first.sameMembership(view)) {
                return false;
            }
        }
        return first != null && first.size() == started;
    }

    private static void drain(MemoryLink link, ClusterEngine engine) {
        try {
            link.poll(engine, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
