package lnlb.simulation;

import java.io.IOException;
import java.io.UncheckedIOException;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.Datagram;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.ClusterRunner;
import lnlb.core.api.run.MemoryNetwork;
import lnlb.core.api.run.RunningCluster;
import lnlb.core.api.run.VirtualClock;
import lnlb.core.api.run.WeightSource;
import lnlb.module.dflt.internal.DefaultTracker;
import lnlb.module.tcp.internal.TcpTimeouts;
import lnlb.module.tcp.internal.TcpTracker;
import lnlb.module.udp.internal.UdpTracker;

/** One simulated node of one cluster: a hub port and a cluster in virtual time, with a default tracker. */
public final class SimNode {
    private final RunningCluster cluster;
    private final DefaultTracker tracker;
    private volatile int weight;
    private boolean running;

    SimNode(MemoryNetwork hub, VirtualClock time, ClusterConfig config, long mac, int weight, DefaultTracker tracker) {
        this(hub, time, config, mac, weight, null, tracker);
    }

    /** A node whose weight comes from {@code weights} (its own load, say), or from {@link #setWeight} when null. */
    SimNode(MemoryNetwork hub, VirtualClock time, ClusterConfig config, long mac, int weight, WeightSource weights,
            DefaultTracker tracker) {
        this(hub, time, config, mac, weight, weights, tracker, false);
    }

    /** With {@code trackers}, the TCP and UDP trackers serve their protocols too (as in the runtime jar). */
    SimNode(MemoryNetwork hub, VirtualClock time, ClusterConfig config, long mac, int weight, WeightSource weights,
            DefaultTracker tracker, boolean trackers) {
        this.weight = weight;
        this.tracker = tracker;
        ClusterRunner runner = ClusterRunner.of(config, hub.attach(mac, config.name(), 1500))
                .weights(weights != null ? weights : () -> this.weight)
                .module(ProtocolModule.DEFAULT_HANDLER, tracker)
                .virtualTime(time)
                .freezable();
        if (trackers) {
            runner.module(Datagram.PROTOCOL_TCP, new TcpTracker(TcpTimeouts.DEFAULTS, 1 << 16, 1024))
                    .module(Datagram.PROTOCOL_UDP, new UdpTracker(30_000, 30_000, 1 << 16, 1024));
        }
        this.cluster = runner.build();
    }

    void start() {
        running = true;
        cluster.start();
    }

    /** Orderly removal: LEAVE, then gone. */
    public void leave() {
        cluster.leave();
        running = false;
        close();
    }

    /** A crash: no LEAVE, nothing more is sent or received. */
    public void crash() {
        running = false;
        close();
    }

    private void close() {
        try {
            cluster.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * SIGSTOP: the node's loop stops while time goes on; frames queue in its link and its timers
     * wait.
     */
    public void freeze() {
        cluster.freeze();
    }

    /**
     * SIGCONT: as a real loop resumes inside its poll, the queued frames are handled first, then
     * the timers that came due while it was stopped.
     */
    public void thaw() {
        cluster.thaw();
    }

    public long mac() {
        return cluster.localNode();
    }

    /** The running cluster of this node: its state, view, counters, modules. */
    public RunningCluster engine() {
        return cluster;
    }

    public DefaultTracker tracker() {
        return tracker;
    }

    public ClusterLink link() {
        return cluster.link();
    }

    public boolean running() {
        return running;
    }

    public void setWeight(int weight) {
        this.weight = weight;
    }

    public int weight() {
        return weight;
    }
}
