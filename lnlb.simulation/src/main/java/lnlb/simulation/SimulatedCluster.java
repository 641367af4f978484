package lnlb.simulation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.ClusterView;
import lnlb.core.api.run.MemoryNetwork;
import lnlb.core.api.run.NodeState;
import lnlb.core.api.run.VirtualClock;
import lnlb.core.api.run.WeightSource;
import lnlb.module.dflt.internal.DefaultTracker;

/**
 * Nodes of one or more clusters on one in-memory hub, in virtual time, with a client port that
 * sends datagrams and a ledger of which node accepted each one. Deterministic: the same calls give
 * the same run.
 */
public final class SimulatedCluster {
    public static final long CLIENT_MAC = 0x0A00_0000_0001L;
    /** Bound of every simulated node's default tracker. */
    public static final int TRACKER_MAX_ENTRIES = 1 << 16;

    private final VirtualClock time = new VirtualClock(1_000_000);
    private final MemoryNetwork hub;
    private final ClusterLink client;
    private final long intervalMillis;
    private final int tolerance;
    private final List<SimNode> nodes = new ArrayList<>();
    /** sequence -> nodes that accepted it. */
    private final Map<Long, List<Long>> acceptedBy = new HashMap<>();
    private long sequence;

    public SimulatedCluster(long intervalMillis, int tolerance, long latencyMillis) {
        this.intervalMillis = intervalMillis;
        this.tolerance = tolerance;
        this.hub = MemoryNetwork.simulated(time, latencyMillis);
        this.client = hub.attach(CLIENT_MAC, "client", 1500);
        hub.setDeliveryListener((link, buffer, offset, length) -> {
            if (length > Frames.ETHERNET + Frames.IPV4 && (buffer.getShort(offset + 12) & 0xFFFF) == 0x0800) {
                int ipLength = buffer.getShort(offset + Frames.ETHERNET + 2) & 0xFFFF;
                long seq = Frames.sequence(buffer, offset + Frames.ETHERNET, ipLength);
                acceptedBy.computeIfAbsent(seq, s -> new ArrayList<>()).add(link.nodeAddress());
            }
        });
    }

    public static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    public ClusterConfig config(String name, String vip) {
        // Weight-only views unlimited: the simulation's tests set weights and expect their view at
        // once; the tests of the rate (WeightBalanceTest) set weight.change.interval.ms themselves.
        return ClusterConfig.of(name, ip(vip), "eth0", intervalMillis, tolerance).withWeightChangeInterval(0);
    }

    /** Starts a node of the cluster {@code config} with MAC {@code mac}. */
    public SimNode start(ClusterConfig config, long mac, int weight) {
        SimNode node = new SimNode(hub, time, config, mac, weight, new DefaultTracker(1_800_000, TRACKER_MAX_ENTRIES));
        nodes.add(node);
        node.start();
        return node;
    }

    /**
     * Starts a node of the cluster {@code config} whose weight comes from {@code weights}, read on
     * its loop once per heartbeat (for example a {@link lnlb.core.api.run.HostWeights} over a load
     * the test gives it, on {@link #time()}).
     */
    public SimNode start(ClusterConfig config, long mac, WeightSource weights) {
        SimNode node = new SimNode(hub, time, config, mac, 1, weights, new DefaultTracker(1_800_000, TRACKER_MAX_ENTRIES));
        nodes.add(node);
        node.start();
        return node;
    }

    /** Starts a node with the default, TCP and UDP trackers, as the runtime jar has them. */
    public SimNode startWithTrackers(ClusterConfig config, long mac, int weight) {
        SimNode node = new SimNode(hub, time, config, mac, weight, null,
                new DefaultTracker(1_800_000, TRACKER_MAX_ENTRIES), true);
        nodes.add(node);
        node.start();
        return node;
    }

    /** Sends one TCP segment to VIP port {@code destination}; returns its sequence number. */
    public long sendTcp(ClusterConfig config, int source, int port, int destination, int flags) {
        long seq = ++sequence;
        ByteBuffer frame = Frames.tcp(CLIENT_MAC, config.clusterMac(), source, port, vipV4(config), flags, seq);
        frame.putShort(Frames.ETHERNET + Frames.IPV4 + 2, (short) destination);
        transmit(frame);
        return seq;
    }

    /** Sends one UDP datagram to VIP port {@code destination}; returns its sequence number. */
    public long sendUdp(ClusterConfig config, int source, int port, int destination) {
        long seq = ++sequence;
        ByteBuffer frame = Frames.udp(CLIENT_MAC, config.clusterMac(), source, port, vipV4(config), seq);
        frame.putShort(Frames.ETHERNET + Frames.IPV4 + 2, (short) destination);
        transmit(frame);
        return seq;
    }

    /** Starts a node and runs until it is a member of a view that holds it. */
    public SimNode startAndJoin(ClusterConfig config, long mac, int weight) {
        SimNode node = start(config, mac, weight);
        if (!runUntil(() -> node.engine().state() == NodeState.MEMBER && converged(config), 60_000)) {
            throw new AssertionError("node " + NodeAddress.format(mac) + " did not join: " + node.engine().state());
        }
        return node;
    }

    /** True when every running node of the cluster is a member and all hold the same view. */
    public boolean converged(ClusterConfig config) {
        ClusterView first = null;
        int running = 0;
        for (SimNode node : nodes) {
            if (!node.running() || !node.engine().config().equals(config)) {
                continue;
            }
            running++;
            if (node.engine().state() != NodeState.MEMBER) {
                return false;
            }
            ClusterView view = node.engine().view();
            if (first == null) {
                first = view;
            } else if (first.epoch() != view.epoch() || !first.sameMembership(view)) {
                return false;
            }
        }
        return first != null && first.size() == running;
    }

    public VirtualClock time() {
        return time;
    }

    public MemoryNetwork hub() {
        return hub;
    }

    public List<SimNode> nodes() {
        return nodes;
    }

    public void run(long millis) {
        time.runFor(millis);
    }

    public boolean runUntil(BooleanSupplier condition, long maxMillis) {
        return time.runUntil(condition, maxMillis);
    }

    /** Sends one UDP datagram from {@code source:port} to the cluster; returns its sequence number. */
    public long sendUdp(ClusterConfig config, int source, int port) {
        long seq = ++sequence;
        ByteBuffer frame = Frames.udp(CLIENT_MAC, config.clusterMac(), source, port, vipV4(config), seq);
        transmit(frame);
        return seq;
    }

    /** Sends one TCP segment; returns its sequence number. */
    public long sendTcp(ClusterConfig config, int source, int port, int flags) {
        long seq = ++sequence;
        transmit(Frames.tcp(CLIENT_MAC, config.clusterMac(), source, port, vipV4(config), flags, seq));
        return seq;
    }

    /** Sends a raw frame from the client port (for forged or replayed cluster frames). */
    public void inject(byte[] frame) {
        transmit(ByteBuffer.wrap(frame));
    }

    private void transmit(ByteBuffer frame) {
        try {
            client.transmit(frame);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int vipV4(ClusterConfig config) {
        return ByteBuffer.wrap(config.vip().getAddress()).getInt();
    }

    /** The nodes that accepted datagram {@code seq} (empty if none). */
    public List<Long> acceptedBy(long seq) {
        return acceptedBy.getOrDefault(seq, List.of());
    }

    /** Sequence numbers sent so far. */
    public long lastSequence() {
        return sequence;
    }
}
