package lnlb.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lnlb.core.api.Cluster;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.Datagram;
import lnlb.core.api.FrameReceiver;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.table.SessionEntries;
import lnlb.core.api.table.SessionTable;
import lnlb.core.internal.loop.VirtualTime;
import lnlb.core.testing.FakeCluster;
import org.junit.jupiter.api.Test;

/**
 * Two nodes' deciders fed the same frames in the same order must accept each datagram exactly
 * once between them: under one view, while a proposed view is pending, across a view switch at the
 * same frame, and when datagrams that waited for a module are replayed under the view they arrived
 * in. Fixed vectors: sources 10.9.0.0 + i, one UDP datagram each.
 */
class DeciderTest {
    private static final long A = 0x0200_0000_0001L;
    private static final long B = 0x0200_0000_0002L;
    private static final long CLUSTER_MAC = 0x0200_0A00_000AL;
    private static final int FIRST_SOURCE = 0x0A09_0000;
    private static final View ONE = new View(1, new long[] {A, B}, new int[] {1, 1});
    private static final View TWO = new View(2, new long[] {A, B}, new int[] {1, 9});

    private final Node a = new Node(A);
    private final Node b = new Node(B);

    @Test
    void underOneViewEachDatagramHasExactlyOneOwner() {
        both(ONE);
        int[] accepted = feed(0, 1000);
        assertExactlyOnce(accepted);
        assertTrue(a.link.delivered.size() > 300 && b.link.delivered.size() > 300,
                "equal weights split evenly: " + a.link.delivered.size() + "/" + b.link.delivered.size());
    }

    @Test
    void whileAViewIsProposedEveryNodeLogsTheSameRacingDatagrams() {
        both(ONE);
        a.standing.pending = TWO;
        b.standing.pending = TWO;
        assertExactlyOnce(feed(0, 1000));
        assertTrue(a.ambiguities.size() > 100, "the new weights move sources: " + a.ambiguities.size() + " logged");
        assertEquals(a.ambiguities.size(), b.ambiguities.size());
        for (int i = 0; i < a.ambiguities.size(); i++) {
            assertEquals(a.ambiguities.key(i), b.ambiguities.key(i), "entry " + i);
            assertEquals(a.ambiguities.digestAt(i), b.ambiguities.digestAt(i), "entry " + i);
        }
    }

    @Test
    void aSwitchAtTheSameFrameKeepsOneOwnerAndTrackedSourcesStay() {
        both(ONE);
        assertExactlyOnce(feed(0, 500));
        Map<Integer, Long> before = new HashMap<>(a.module.owners);
        a.standing.switchTo(TWO);
        b.standing.switchTo(TWO);
        assertExactlyOnce(feed(0, 1000)); // 0..499 are tracked, 500..999 new
        for (int i = 0; i < 500; i++) {
            assertEquals(before.get(FIRST_SOURCE + i), a.module.owners.get(FIRST_SOURCE + i), "source " + i + " moved");
        }
        assertEquals(a.module.owners, b.module.owners, "the two nodes' tables differ");
    }

    @Test
    void datagramsThatWaitedForAModuleAreDecidedByTheViewTheyArrivedIn() {
        both(ONE);
        // a's module leaves; b keeps deciding at once. The view then changes before a's comes back.
        a.modules.serve(17, null, 0, 60_000);
        a.modules.serve(0, null, 0, 60_000);
        int[] accepted = feed(0, 1000);
        assertEquals(0, a.link.delivered.size(), "a holds what it cannot decide");
        a.standing.switchTo(TWO);
        b.standing.switchTo(TWO);
        a.modules.serve(0, a.module, 1, 60_000);
        a.decider.replayOrphans();
        for (int seq : a.link.delivered) {
            accepted[seq]++;
        }
        assertExactlyOnce(accepted);
    }

    private void both(View view) {
        a.standing.switchTo(view);
        b.standing.switchTo(view);
    }

    @Test
    void ownerNowNamesTheNodeThatAcceptsAndRecordsNothing() {
        both(ONE);
        feed(0, 500); // 0..499 tracked under ONE
        both(TWO);
        long[] why = new long[4];
        int bySession = 0;
        for (int i = 0; i < 1000; i++) {
            ByteBuffer frame = udpFrame(FIRST_SOURCE + i, i);
            Datagram d = new Datagram().wrap(frame, Decider.ETHERNET_HEADER, frame.limit() - Decider.ETHERNET_HEADER);
            int tracked = a.module.owners.size();
            long predictedA = a.decider.ownerNow(d, a.standing.view, why);
            assertEquals(i < 500 ? 1 : 0, why[1], "source " + i + ": by session only when tracked");
            bySession += (int) why[1];
            long predictedB = b.decider.ownerNow(d, b.standing.view, why);
            assertEquals(tracked, a.module.owners.size(), "ownerNow assigned source " + i);
            assertEquals(predictedA, predictedB, "the nodes answer alike for source " + i);
            int beforeA = a.link.delivered.size();
            int beforeB = b.link.delivered.size();
            feed(i, i + 1);
            long accepted = a.link.delivered.size() > beforeA ? A : b.link.delivered.size() > beforeB ? B : NodeAddress.NONE;
            assertEquals(predictedA, accepted, "source " + i + ": owner named " + NodeAddress.format(predictedA));
        }
        assertEquals(500, bySession);
    }

    /** Datagrams from sources {@code from..to-1} to both nodes; returns how many nodes accepted each. */
    private int[] feed(int from, int to) {
        int[] accepted = new int[to];
        for (int i = from; i < to; i++) {
            ByteBuffer frame = udpFrame(FIRST_SOURCE + i, i);
            for (Node node : List.of(a, b)) {
                int before = node.link.delivered.size();
                node.decider.onDatagram(frame, 0, frame.limit(), node.standing.view);
                accepted[i] += node.link.delivered.size() - before;
            }
        }
        return accepted;
    }

    private static void assertExactlyOnce(int[] accepted) {
        for (int i = 0; i < accepted.length; i++) {
            assertTrue(accepted[i] <= 1, "datagram " + i + " accepted " + accepted[i] + " times");
        }
        long none = java.util.Arrays.stream(accepted).filter(n -> n == 0).count();
        assertTrue(none == 0 || accepted.length == 0, none + " datagrams accepted by nobody");
    }

    /** Ethernet + IPv4 + UDP, the sequence number in the payload; the IPv4 checksum is right. */
    static ByteBuffer udpFrame(int source, int seq) {
        ByteBuffer f = ByteBuffer.allocate(14 + 20 + 8 + 4);
        NodeAddress.write(f, 0, CLUSTER_MAC);
        NodeAddress.write(f, 6, 0x0A00_0000_0001L);
        f.putShort(12, (short) 0x0800);
        f.put(14, (byte) 0x45).putShort(16, (short) 32).put(22, (byte) 64).put(23, (byte) 17);
        f.putInt(26, source).putInt(30, 0x0A00_000A);
        int sum = 0;
        for (int i = 14; i < 34; i += 2) {
            sum += f.getShort(i) & 0xFFFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        f.putShort(24, (short) ~((sum & 0xFFFF) + (sum >>> 16)));
        f.putShort(34, (short) 4000).putShort(36, (short) 53).putShort(38, (short) 12).putInt(42, seq);
        return f;
    }

    /** One node's decider with its collaborators, a source tracker and a link that records deliveries. */
    private static final class Node {
        final long self;
        final FakeCluster cluster;
        final RecordingLink link;
        final EngineCounters counters = new EngineCounters();
        final Standing standing;
        final ModuleTable modules;
        final AmbiguityLog ambiguities = new AmbiguityLog(65536);
        final SourceTracker module = new SourceTracker();
        final Decider decider;

        Node(long self) {
            this.self = self;
            this.cluster = new FakeCluster("nlb0", 0, self);
            this.link = new RecordingLink(self);
            this.standing = new Standing(self);
            standing.state = ClusterEngine.State.MEMBER;
            this.modules = new ModuleTable(cluster, counters);
            modules.serve(0, module, 0, 0);
            ClusterConfig config = ClusterConfig.of("nlb0", cluster.vip(), "eth0", 100, 3);
            EnginePart.Shared shared = new EnginePart.Shared(cluster, config, link, new VirtualTime(0).newLoop(), standing,
                    new Membership(self, config.deadAfterMillis()), modules, counters);
            this.decider = new Decider(shared, new CommitWindow(64), ambiguities, (buffer, offset, length) -> false);
        }
    }

    /** Protocol 0: the owner by source address, as the default tracker keeps it. */
    private static final class SourceTracker implements ProtocolModule, SessionEntries {
        final Map<Integer, Long> owners = new HashMap<>();

        @Override
        public long lookup(Cluster cluster, Datagram datagram) {
            return owners.getOrDefault(source(datagram), NodeAddress.NONE);
        }

        @Override
        public int keyKind() {
            return KEY_SOURCE;
        }

        @Override
        public int visit(Cluster cluster, int from, int slots, SessionTable.Visitor visitor) {
            return END;
        }

        @Override
        public long entryIdleMillis() {
            return 60_000;
        }

        @Override
        public long related(Cluster cluster, Datagram datagram) {
            return owners.getOrDefault(source(datagram), NodeAddress.NONE);
        }

        @Override
        public void assigned(Cluster cluster, Datagram datagram, long node) {
            owners.put(source(datagram), node);
        }

        private static int source(Datagram datagram) {
            return datagram.buffer().getInt(datagram.offset() + 12);
        }

        @Override
        public void nodeDied(Cluster cluster, long node) {
            owners.values().removeIf(owner -> owner == node);
        }

        @Override
        public void clusterCreated(Cluster cluster) {
        }

        @Override
        public void clusterDeleted(Cluster cluster) {
            owners.clear();
        }

        @Override
        public byte[] saveState(Cluster cluster) {
            return new byte[0];
        }

        @Override
        public void loadState(Cluster cluster, byte[] state) {
        }
    }

    /** Records the sequence number of every delivered datagram. */
    private static final class RecordingLink implements ClusterLink {
        final long self;
        final List<Integer> delivered = new ArrayList<>();

        RecordingLink(long self) {
            this.self = self;
        }

        @Override
        public long nodeAddress() {
            return self;
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public String interfaceName() {
            return "nlb0";
        }

        @Override
        public int headroom() {
            return 0;
        }

        @Override
        public int poll(FrameReceiver receiver, long timeoutMillis) {
            return 0;
        }

        @Override
        public void wakeup() {
        }

        @Override
        public void transmit(ByteBuffer frame) {
        }

        @Override
        public void deliver(ByteBuffer buffer, int offset, int length) {
            delivered.add(buffer.getInt(offset + 42));
        }

        @Override
        public void close() {
        }
    }
}
