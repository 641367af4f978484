package lnlb.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.run.ClusterCounters;
import lnlb.core.api.run.RunningCluster;
import lnlb.module.dflt.internal.DefaultTracker;
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
 * The whole decision path of one engine, {@link RunningCluster#receiver}: Ethernet frame, datagram
 * view, {@code related}, and for an unknown source {@code assignmentKey}, the cut table and
 * {@code assigned}; then deliver (a no-op hub listener) or "not mine". One operation = one frame =
 * one decision. The engine is a plain member of a formed three-node cluster whose clock is stopped
 * (see {@link ThreeNodeCluster}); the default tracker serves every protocol.
 *
 * <p>Run under {@code -prof gc}: {@code gc.alloc.rate.norm} must be about 0 B/op (STYLE.md 2.6).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class DecisionBenchmark {

    /**
     * (a) A fixed set of sources the tracker already knows, cycled through in a fixed order:
     * {@code related} finds each. 1024 sources keep the tracker's table (64 KiB) and the frames in
     * cache; 2^20 sources (the tracker's bound: a 64 MiB table and 64 MiB of frames) do not.
     */
    @State(Scope.Thread)
    public static class Tracked {
        static final int BOUND = 1 << 20;

        @Param({"udp", "tcp"})
        public String protocol;

        /** Distinct sources cycled through; a power of two up to {@link #BOUND}. */
        @Param({"1024", "1048576"})
        public int sources;

        ThreeNodeCluster cluster;
        RunningCluster node;
        FrameReceiver engine;
        ByteBuffer frames;
        int length;
        int next;
        long acceptedBefore;
        long notMineBefore;

        @Setup(Level.Trial)
        public void setUp() {
            check(Integer.bitCount(sources) == 1 && sources <= BOUND, "sources: a power of two <= " + BOUND);
            cluster = new ThreeNodeCluster(BOUND);
            node = cluster.node();
            engine = node.receiver();
            int ipProtocol = "tcp".equals(protocol) ? 6 : 17;
            length = TestFrames.length(ipProtocol);
            frames = TestFrames.frames(ipProtocol, cluster.clusterMac(), cluster.vip, TestFrames.sources(sources));
            for (int i = 0; i < sources; i++) {
                engine.onFrame(frames, i * TestFrames.STRIDE, length); // first sight: assigned
            }
            DefaultTracker tracker = cluster.tracker();
            check(tracker.entries(node.cluster()) == sources, "tracker holds " + tracker.entries(node.cluster()) + " sources");
            acceptedBefore = node.counters().accepted();
            notMineBefore = node.counters().notMine();
        }

        @TearDown(Level.Trial)
        public void verify() {
            ClusterCounters c = node.counters();
            check(c.malformedDatagrams() == 0 && c.noModule() == 0 && c.moduleErrors() == 0 && c.held() == 0,
                    "unexpected drops: " + c.engine());
            check(cluster.tracker().entries(node.cluster()) == sources && cluster.tracker().evictions(node.cluster()) == 0,
                    "the tracked set changed: " + cluster.tracker().entries(node.cluster()) + " entries");
            // Each source has one owner among three nodes: this node takes a share, not all, not none.
            long accepted = c.accepted() - acceptedBefore;
            long notMine = c.notMine() - notMineBefore;
            check(accepted > 0 && notMine > 0, "accepted " + accepted + ", not mine " + notMine);
        }
    }

    /**
     * (a') The 2^20 tracked sources of {@link Tracked}, but through one frame that stays in cache (as
     * a NIC ring slot would): each operation writes the next source address into it. This separates
     * the cost of the tracker's table probe (64 MiB, a random line per frame) from that of streaming
     * 64 MiB of pre-built frames.
     */
    @State(Scope.Thread)
    public static class TrackedOneFrame {
        static final int SOURCES = 1 << 20;

        ThreeNodeCluster cluster;
        RunningCluster node;
        FrameReceiver engine;
        ByteBuffer frame;
        int[] sources;
        int length;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            cluster = new ThreeNodeCluster(SOURCES);
            node = cluster.node();
            engine = node.receiver();
            length = TestFrames.length(17);
            sources = TestFrames.sources(SOURCES);
            frame = ByteBuffer.allocateDirect(TestFrames.STRIDE);
            TestFrames.write(frame, 0, 17, cluster.clusterMac(), cluster.vip, 0, 4242, 0);
            for (int source : sources) {
                frame.putInt(TestFrames.SOURCE_OFFSET, source);
                engine.onFrame(frame, 0, length); // first sight: assigned
            }
            check(cluster.tracker().entries(node.cluster()) == SOURCES, "tracker holds " + cluster.tracker().entries(node.cluster()));
        }

        @TearDown(Level.Trial)
        public void verify() {
            ClusterCounters c = node.counters();
            check(c.malformedDatagrams() == 0 && c.noModule() == 0 && c.moduleErrors() == 0 && c.held() == 0,
                    "unexpected drops: " + c.engine());
            check(cluster.tracker().entries(node.cluster()) == SOURCES && cluster.tracker().evictions(node.cluster()) == 0,
                    "the tracked set changed: " + cluster.tracker().entries(node.cluster()) + " entries");
        }
    }

    /**
     * (b) A source never seen before on every frame, at steady state with eviction: the tracker's
     * bound ({@code bound} clients: 2^20, the tracker's table then 64 MiB; or 4096, a table that
     * stays in cache) is reached before measuring, so each frame misses in
     * {@code related}, is assigned by the cut table, and {@code assigned} evicts one entry to make
     * room. Sources are {@code n * odd constant} for a running {@code n}: all distinct for 2^32
     * frames, far more than a run sends. The clock is stopped, so nothing is ever idle long enough
     * to expire: every insertion evicts (the SYN-flood case), the worst case for the table.
     */
    @State(Scope.Thread)
    public static class Fresh {
        static final int SOURCE_MULTIPLIER = 0x9E37_79B1;

        /** The tracker's max.entries. */
        @Param({"4096", "1048576"})
        public int bound;

        ThreeNodeCluster cluster;
        RunningCluster node;
        FrameReceiver engine;
        ByteBuffer frame;
        int length;
        int n;

        @Setup(Level.Trial)
        public void setUp() {
            cluster = new ThreeNodeCluster(bound);
            node = cluster.node();
            engine = node.receiver();
            length = TestFrames.length(17);
            frame = ByteBuffer.allocateDirect(TestFrames.STRIDE);
            TestFrames.write(frame, 0, 17, cluster.clusterMac(), cluster.vip, 0, 4242, 0);
            for (n = 0; n < bound; n++) {
                frame.putInt(TestFrames.SOURCE_OFFSET, n * SOURCE_MULTIPLIER);
                engine.onFrame(frame, 0, length);
            }
            check(cluster.tracker().entries(node.cluster()) == bound, "table not full: " + cluster.tracker().entries(node.cluster()));
        }

        @TearDown(Level.Trial)
        public void verify() {
            ClusterCounters c = node.counters();
            check(c.malformedDatagrams() == 0 && c.noModule() == 0 && c.moduleErrors() == 0 && c.held() == 0,
                    "unexpected drops: " + c.engine());
            check(cluster.tracker().entries(node.cluster()) == bound, "table left its bound");
            check(cluster.tracker().evictions(node.cluster()) >= (long) n - bound,
                    "fewer evictions than new sources: " + cluster.tracker().evictions(node.cluster()));
        }
    }

    @Benchmark
    public void trackedSource(Tracked s) {
        int i = s.next;
        s.next = (i + 1) & (s.sources - 1);
        s.engine.onFrame(s.frames, i * TestFrames.STRIDE, s.length);
    }

    @Benchmark
    public void trackedSourceOneFrame(TrackedOneFrame s) {
        int i = s.next;
        s.next = (i + 1) & (TrackedOneFrame.SOURCES - 1);
        s.frame.putInt(TestFrames.SOURCE_OFFSET, s.sources[i]);
        s.engine.onFrame(s.frame, 0, s.length);
    }

    @Benchmark
    public void newSourceEvicting(Fresh s) {
        s.frame.putInt(TestFrames.SOURCE_OFFSET, s.n++ * Fresh.SOURCE_MULTIPLIER);
        s.engine.onFrame(s.frame, 0, s.length);
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
