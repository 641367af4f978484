package lnlb.benchmarks;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.run.ClusterCounters;
import lnlb.core.api.run.ClusterView;
import lnlb.core.api.run.RunningCluster;
import lnlb.module.tcp.internal.TcpTimeouts;
import lnlb.module.tcp.internal.TcpTracker;
import lnlb.module.udp.internal.UdpTracker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The per-flow trackers of protocols 6 and 17 ({@link TcpTracker}, {@link UdpTracker}) on the
 * decision path. One operation = one datagram = one decision.
 *
 * <ul>
 * <li>(e) {@code flowRelated}: {@code related} for a flow the tracker already knows (a TCP
 *     connection ESTABLISHED, a UDP flow), datagrams wrapped in advance, cycled in a fixed order.</li>
 * <li>(f) {@code newFlowEvicting}: a never-seen flow on every datagram, at steady state with
 *     eviction: {@code related} misses, {@code assignmentKey}, the cut table of a 3-node view
 *     picks the owner, {@code assigned} records it and evicts one entry (the clock is stopped, so
 *     nothing expires: for TCP, a SYN flood). One datagram view over one buffer whose source
 *     address and port are rewritten in place.</li>
 * <li>(g) {@code trackedFlowOnFrame}: the whole engine ({@code RunningCluster.receiver().onFrame}, as
 *     {@link DecisionBenchmark#trackedSource}) with the tracker serving its protocol on all three
 *     nodes, for 1024 known flows from 1024 sources.</li>
 * <li>(h) {@code stateMove1M}: {@code saveState} of 1,000,000 flows plus {@code loadState} into
 *     another instance, the tracker's share of a hot swap (milliseconds per move).</li>
 * </ul>
 *
 * <p>The trackers run with a cluster whose clock is stopped ({@link StoppedCluster}). Run under
 * {@code -prof gc}: {@code gc.alloc.rate.norm} must be about 0 B/op (STYLE.md 2.6).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class FlowTrackerBenchmark {
    static final long NOW = 1_000_000;
    static final ClusterView VIEW = new ClusterView(1, ThreeNodeCluster.MACS, new int[] {1, 1, 1});
    static final int VIP = 0xC000_020A; // 192.0.2.10

    static ProtocolModule tracker(String protocol, int maxEntries) {
        return "tcp".equals(protocol)
                ? new TcpTracker(TcpTimeouts.DEFAULTS, maxEntries, 65_536)
                : new UdpTracker(60_000, 30_000, maxEntries, 65_536);
    }

    static int ipProtocol(String protocol) {
        return "tcp".equals(protocol) ? Datagram.PROTOCOL_TCP : Datagram.PROTOCOL_UDP;
    }

    static int entries(ProtocolModule tracker, Cluster cluster) {
        return tracker instanceof TcpTracker ? ((TcpTracker) tracker).entries(cluster)
                : ((UdpTracker) tracker).entries(cluster);
    }

    static long evictions(ProtocolModule tracker, Cluster cluster) {
        return tracker instanceof TcpTracker ? ((TcpTracker) tracker).evictions(cluster)
                : ((UdpTracker) tracker).evictions(cluster);
    }

    /**
     * (e) {@code flows} known flows, one per source address (port 1024 + i), their datagrams (TCP: ACK)
     * wrapped in advance. 1024 keep the table (64 KiB) in cache; 2^20 (the table at its default
     * bound: 64 MiB) do not.
     */
    @State(Scope.Thread)
    public static class Tracked {
        static final int BOUND = 1 << 20;

        @Param({"tcp", "udp"})
        public String protocol;

        @Param({"1024", "1048576"})
        public int flows;

        final StoppedCluster cluster = new StoppedCluster();
        ProtocolModule tracker;
        Datagram[] datagrams;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            DecisionBenchmark.check(Integer.bitCount(flows) == 1 && flows <= BOUND, "flows: a power of two <= " + BOUND);
            tracker = tracker(protocol, BOUND);
            tracker.clusterCreated(cluster);
            int ip = ipProtocol(protocol);
            int length = TestFrames.length(ip);
            ByteBuffer frames = TestFrames.frames(ip, 0x0200_C000_020AL, VIP, TestFrames.sources(flows));
            datagrams = new Datagram[flows];
            ClusterView table = VIEW;
            for (int i = 0; i < flows; i++) {
                Datagram d = new Datagram().wrap(frames, i * TestFrames.STRIDE + TestFrames.ETHERNET,
                        length - TestFrames.ETHERNET);
                DecisionBenchmark.check(d.valid(), "frame " + i + " is not a valid datagram");
                DecisionBenchmark.check(tracker.related(cluster, d) == NodeAddress.NONE, "flow " + i + " known early");
                tracker.assigned(cluster, d, table.ownerOfKey(tracker.assignmentKey(cluster, d)));
                // TCP: the first ACK was picked up; this second one establishes it.
                DecisionBenchmark.check(tracker.related(cluster, d) != NodeAddress.NONE, "flow " + i + " not tracked");
                datagrams[i] = d;
            }
            DecisionBenchmark.check(entries(tracker, cluster) == flows, "tracker holds " + entries(tracker, cluster));
        }

        @TearDown(Level.Trial)
        public void verify() {
            DecisionBenchmark.check(entries(tracker, cluster) == flows && evictions(tracker, cluster) == 0,
                    "the tracked set changed: " + entries(tracker, cluster));
        }
    }

    /**
     * (f) A new flow on every datagram, with the tracker at its bound: {@code bound} = 4096 keeps the
     * table in cache, 2^20 does not. Flow n comes from source {@code 10.0.0.0 ^ (n >>> 16) * odd},
     * port {@code n & 0xFFFF}: all distinct for 2^32 datagrams. TCP datagrams are SYNs.
     */
    @State(Scope.Thread)
    public static class Fresh {
        static final int SOURCE_MULTIPLIER = 0x9E37_79B1;

        @Param({"tcp", "udp"})
        public String protocol;

        @Param({"4096", "1048576"})
        public int bound;

        final StoppedCluster cluster = new StoppedCluster();
        final Datagram datagram = new Datagram();
        ProtocolModule tracker;
        ClusterView table;
        ByteBuffer frame;
        int sourceIndex;
        int portIndex;
        long n;

        @Setup(Level.Trial)
        public void setUp() {
            tracker = tracker(protocol, bound);
            tracker.clusterCreated(cluster);
            table = VIEW;
            int ip = ipProtocol(protocol);
            frame = ByteBuffer.allocateDirect(TestFrames.STRIDE);
            TestFrames.write(frame, 0, ip, 0x0200_C000_020AL, VIP, 0, 0, 0);
            if (ip == Datagram.PROTOCOL_TCP) {
                frame.put(TestFrames.ETHERNET + TestFrames.IPV4 + 13, (byte) Datagram.TCP_SYN);
            }
            sourceIndex = TestFrames.SOURCE_OFFSET;
            portIndex = TestFrames.ETHERNET + TestFrames.IPV4;
            datagram.wrap(frame, TestFrames.ETHERNET, TestFrames.length(ip) - TestFrames.ETHERNET);
            DecisionBenchmark.check(datagram.valid(), "not a valid datagram");
            for (n = 0; n < bound; n++) {
                decideNew(this);
            }
            DecisionBenchmark.check(entries(tracker, cluster) == bound, "table not full: " + entries(tracker, cluster));
        }

        @TearDown(Level.Trial)
        public void verify() {
            DecisionBenchmark.check(entries(tracker, cluster) == bound, "table left its bound");
            DecisionBenchmark.check(evictions(tracker, cluster) >= n - bound,
                    "fewer evictions than new flows: " + evictions(tracker, cluster));
        }
    }

    /** The next new flow, decided as the engine decides a datagram no session claims. */
    static long decideNew(Fresh s) {
        long n = s.n;
        s.frame.putInt(s.sourceIndex, 0x0A00_0000 ^ (int) (n >>> 16) * Fresh.SOURCE_MULTIPLIER);
        s.frame.putShort(s.portIndex, (short) n);
        long owner = s.tracker.related(s.cluster, s.datagram);
        if (owner == NodeAddress.NONE) {
            owner = s.table.ownerOfKey(s.tracker.assignmentKey(s.cluster, s.datagram));
            s.tracker.assigned(s.cluster, s.datagram, owner);
        }
        return owner;
    }

    /**
     * (g) The engine: a formed 3-node cluster ({@link ThreeNodeCluster}, clock stopped) whose nodes
     * serve {@code protocol} with the flow tracker; 1024 flows from 1024 sources, each seen twice
     * before measuring (TCP: picked up, then established).
     */
    @State(Scope.Thread)
    public static class Engine {
        static final int FLOWS = 1024;

        @Param({"tcp", "udp"})
        public String protocol;

        ThreeNodeCluster cluster;
        RunningCluster node;
        FrameReceiver engine;
        ProtocolModule tracker;
        ByteBuffer frames;
        int length;
        int next;
        long acceptedBefore;
        long notMineBefore;

        @Setup(Level.Trial)
        public void setUp() {
            cluster = new ThreeNodeCluster(1 << 20);
            int ip = ipProtocol(protocol);
            for (RunningCluster e : cluster.nodes) {
                ProtocolModule t = tracker(protocol, 1 << 20);
                e.serve(ip, t);
                DecisionBenchmark.check(e.module(ip) == t, "the tracker does not serve protocol " + ip);
            }
            node = cluster.node();
            engine = node.receiver();
            tracker = node.module(ip);
            length = TestFrames.length(ip);
            frames = TestFrames.frames(ip, cluster.clusterMac(), cluster.vip, TestFrames.sources(FLOWS));
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < FLOWS; i++) {
                    engine.onFrame(frames, i * TestFrames.STRIDE, length);
                }
            }
            DecisionBenchmark.check(entries(tracker, node.cluster()) == FLOWS, "tracker holds " + entries(tracker, node.cluster()));
            acceptedBefore = node.counters().accepted();
            notMineBefore = node.counters().notMine();
        }

        @TearDown(Level.Trial)
        public void verify() {
            ClusterCounters c = node.counters();
            DecisionBenchmark.check(c.malformedDatagrams() == 0 && c.noModule() == 0 && c.moduleErrors() == 0 && c.held() == 0,
                    "unexpected drops: " + c.engine());
            DecisionBenchmark.check(entries(tracker, node.cluster()) == FLOWS && evictions(tracker, node.cluster()) == 0,
                    "the tracked set changed: " + entries(tracker, node.cluster()));
            long accepted = c.accepted() - acceptedBefore;
            long notMine = c.notMine() - notMineBefore;
            DecisionBenchmark.check(accepted > 0 && notMine > 0, "accepted " + accepted + ", not mine " + notMine);
        }
    }

    /**
     * (h) What a hot swap of the tracker costs in the tracker itself: {@code saveState} of
     * 1,000,000 flows on the departing instance and {@code loadState} on the arriving one (CRC,
     * checks, the new table). The core holds the protocol's datagrams for at least this long.
     * One operation = one whole move. Measured warm (average time); a hot swap runs it cold, the
     * new bundle's code never having run: {@code -bm ss -wi 0 -i 1 -f 5} gives that figure.
     */
    @State(Scope.Thread)
    public static class Moving {
        static final int FLOWS = 1_000_000;

        @Param({"tcp", "udp"})
        public String protocol;

        final StoppedCluster cluster = new StoppedCluster();
        final Datagram datagram = new Datagram();
        ProtocolModule sender;
        ProtocolModule receiver;
        int dumpLength;

        @Setup(Level.Trial)
        public void setUp() {
            sender = tracker(protocol, FLOWS);
            receiver = tracker(protocol, FLOWS);
            sender.clusterCreated(cluster);
            receiver.clusterCreated(cluster);
            int ip = ipProtocol(protocol);
            ByteBuffer frame = ByteBuffer.allocateDirect(TestFrames.STRIDE);
            TestFrames.write(frame, 0, ip, 0x0200_C000_020AL, VIP, 0, 0, 0);
            datagram.wrap(frame, TestFrames.ETHERNET, TestFrames.length(ip) - TestFrames.ETHERNET);
            ClusterView table = VIEW;
            for (int n = 0; n < FLOWS; n++) {
                frame.putInt(TestFrames.SOURCE_OFFSET, 0x0A00_0000 ^ (n >>> 16) * Fresh.SOURCE_MULTIPLIER);
                frame.putShort(TestFrames.ETHERNET + TestFrames.IPV4, (short) n);
                sender.assigned(cluster, datagram, table.ownerOfKey(sender.assignmentKey(cluster, datagram)));
                sender.related(cluster, datagram); // TCP: established
            }
            DecisionBenchmark.check(entries(sender, cluster) == FLOWS, "sender holds " + entries(sender, cluster));
        }

        @TearDown(Level.Trial)
        public void verify() {
            DecisionBenchmark.check(entries(receiver, cluster) == FLOWS, "receiver holds " + entries(receiver, cluster));
        }
    }

    /**
     * The heap is touched in advance (AlwaysPreTouch), as a node's heap is once it has run for a
     * while: otherwise the first move would also measure the kernel mapping 100 MB of fresh pages.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
    public int stateMove1M(Moving s) {
        byte[] dump = s.sender.saveState(s.cluster);
        s.receiver.loadState(s.cluster, dump);
        return dump.length;
    }

    @Benchmark
    public long flowRelated(Tracked s) {
        int i = s.next;
        s.next = (i + 1) & (s.flows - 1);
        return s.tracker.related(s.cluster, s.datagrams[i]);
    }

    @Benchmark
    public long newFlowEvicting(Fresh s) {
        long owner = decideNew(s);
        s.n++;
        return owner;
    }

    @Benchmark
    public void trackedFlowOnFrame(Engine s) {
        int i = s.next;
        s.next = (i + 1) & (Engine.FLOWS - 1);
        s.engine.onFrame(s.frames, i * TestFrames.STRIDE, s.length);
    }

    /** A cluster view whose clock never moves: nothing expires while measuring. */
    static final class StoppedCluster implements Cluster {
        @Override
        public String name() {
            return "nlb0";
        }

        @Override
        public InetAddress vip() {
            return InetAddress.getLoopbackAddress();
        }

        @Override
        public long clusterMac() {
            return 0x0200_C000_020AL;
        }

        @Override
        public long localNode() {
            return ThreeNodeCluster.MACS[2];
        }

        @Override
        public String device() {
            return "eth0";
        }

        @Override
        public long nowMillis() {
            return NOW;
        }
    }
}
