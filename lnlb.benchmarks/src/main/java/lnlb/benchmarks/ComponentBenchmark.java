package lnlb.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import lnlb.core.api.Cluster;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.run.RunningCluster;
import lnlb.module.dflt.internal.DefaultTracker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Two pieces of the decision path on their own, over the same 1024 UDP frames as
 * {@link DecisionBenchmark#trackedSource}: (c) parsing a frame into the reusable {@link Datagram}
 * view, (d) the default tracker's {@code related} lookup of a known source (datagrams wrapped in
 * advance, one view per frame, so only the lookup is measured).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class ComponentBenchmark {
    static final int SOURCES = 1024;

    @State(Scope.Thread)
    public static class Frames {
        ByteBuffer frames;
        int length;
        final Datagram datagram = new Datagram();
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            length = TestFrames.length(17);
            frames = TestFrames.frames(17, 0x0100_5E00_0001L, 0xC000_020A, TestFrames.sources(SOURCES));
        }
    }

    @State(Scope.Thread)
    public static class Tracker {
        ThreeNodeCluster cluster;
        RunningCluster node;
        /** The engine as its modules see it. */
        Cluster engine;
        DefaultTracker tracker;
        Datagram[] datagrams;
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            cluster = new ThreeNodeCluster(1 << 20);
            node = cluster.node();
            engine = node.cluster();
            tracker = cluster.tracker();
            int length = TestFrames.length(17);
            ByteBuffer frames = TestFrames.frames(17, cluster.clusterMac(), cluster.vip, TestFrames.sources(SOURCES));
            datagrams = new Datagram[SOURCES];
            for (int i = 0; i < SOURCES; i++) {
                int at = i * TestFrames.STRIDE;
                node.receiver().onFrame(frames, at, length); // the engine assigns it: the tracker now knows the source
                datagrams[i] = new Datagram().wrap(frames, at + TestFrames.ETHERNET, length - TestFrames.ETHERNET);
                DecisionBenchmark.check(datagrams[i].valid(), "frame " + i + " is not a valid datagram");
                DecisionBenchmark.check(tracker.related(engine, datagrams[i]) != NodeAddress.NONE,
                        "source " + i + " not tracked");
            }
        }
    }

    @Benchmark
    public Datagram datagramWrap(Frames s) {
        int i = s.next;
        s.next = (i + 1) & (SOURCES - 1);
        return s.datagram.wrap(s.frames, i * TestFrames.STRIDE + TestFrames.ETHERNET, s.length - TestFrames.ETHERNET);
    }

    @Benchmark
    public long trackerRelated(Tracker s) {
        int i = s.next;
        s.next = (i + 1) & (SOURCES - 1);
        return s.tracker.related(s.engine, s.datagrams[i]);
    }
}
