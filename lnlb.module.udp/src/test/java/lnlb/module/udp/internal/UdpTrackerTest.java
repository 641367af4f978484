package lnlb.module.udp.internal;

import lnlb.core.testing.Packets;
import lnlb.core.testing.FakeCluster;
import lnlb.core.testing.Nodes;

import static lnlb.core.testing.Packets.udp4;
import static lnlb.core.testing.Packets.udp6;
import static lnlb.core.testing.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.Random;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.table.FlowKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Open box: flows, expiry, nodes, clusters and the bound, with a fake cluster. */
class UdpTrackerTest {
    static final long A = Nodes.A;
    static final long B = Nodes.B;
    static final long C = Nodes.C;
    static final long IDLE = 60_000;
    static final long FRAGMENT_LIFE = 20_000;
    static final int CLIENT = v4(192, 168, 1, 1);

    private final FakeCluster cluster = new FakeCluster("nlb0", 1_000_000);
    private final UdpTracker tracker = new UdpTracker(IDLE, FRAGMENT_LIFE, 1_000, 100);

    UdpTrackerTest() {
        tracker.clusterCreated(cluster);
    }

    private long related(int port) {
        return tracker.related(cluster, udp4(CLIENT, port));
    }

    private void assigned(int port, long node) {
        tracker.assigned(cluster, udp4(CLIENT, port), node);
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void defaults() {
        UdpTracker configured = new UdpTracker(config(60, 30, 1_000_000, 65_536));
        assertEquals(60_000, configured.idleMillis());
        assertEquals(30_000, configured.fragmentMillis());
        assertEquals(1_000_000, configured.maxEntries());
        assertEquals(65_536, configured.maxFragments());
        assertEquals("lnlb.module.udp", UdpTracker.PID);
    }

    @Test
    void invalidConfigurationNamesTheKey() {
        assertMessageContains("idle.timeout.seconds", () -> new UdpTracker(config(0, 30, 10, 10)));
        assertMessageContains("idle.timeout.seconds", () -> new UdpTracker(config(Long.MAX_VALUE, 30, 10, 10)));
        assertMessageContains("fragment.timeout.seconds", () -> new UdpTracker(config(60, -1, 10, 10)));
        assertMessageContains("max.entries", () -> new UdpTracker(config(60, 30, 0, 10)));
        assertMessageContains("max.entries", () -> new UdpTracker(config(60, 30, UdpTracker.MAX_ENTRIES + 1, 10)));
        assertMessageContains("max.fragments", () -> new UdpTracker(config(60, 30, 10, 0)));
        assertMessageContains("max.fragments", () -> new UdpTracker(config(60, 30, UdpTracker.MAX_ENTRIES, 1)));
        assertMessageContains("idle.timeout.seconds", () -> new UdpTracker(0, 1, 1, 1));
        assertMessageContains("fragment.timeout.seconds", () -> new UdpTracker(1, 0, 1, 1));
    }

    // ------------------------------------------------------------------ flows

    @Test
    void anUnknownFlowIsLeftToTheHashThenStaysWithItsNode() {
        assertEquals(NodeAddress.NONE, related(5000));
        assertEquals(0, tracker.entries(cluster), "related alone remembers nothing");
        assigned(5000, A);
        assigned(5001, B);
        assertEquals(A, related(5000));
        assertEquals(B, related(5001));
        assertEquals(NodeAddress.NONE, related(5002));
        assertEquals(2, tracker.entries(cluster));
    }

    @Test
    void everyDatagramRefreshesTheFlowAndAnIdleOneExpires() {
        assigned(5000, A);
        for (int i = 0; i < 5; i++) {
            cluster.now += IDLE - 1;
            assertEquals(A, related(5000), "step " + i);
        }
        cluster.now += IDLE;
        assertEquals(NodeAddress.NONE, related(5000));
        assertEquals(0, tracker.entries(cluster), "the idle entry is dropped");
    }

    @Test
    void reassignmentMovesTheFlow() {
        assigned(5000, A);
        assigned(5000, C);
        assertEquals(C, related(5000));
        assertEquals(1, tracker.entries(cluster));
    }

    @Test
    void ipv6FlowsAreTrackedApart() {
        tracker.assigned(cluster, udp6(1, 5000), A);
        tracker.assigned(cluster, udp6(2, 5000), B);
        tracker.assigned(cluster, udp6(1, 5001), C);
        assertEquals(A, tracker.related(cluster, udp6(1, 5000)));
        assertEquals(B, tracker.related(cluster, udp6(2, 5000)));
        assertEquals(C, tracker.related(cluster, udp6(1, 5001)));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, udp4(1, 5000)));
    }

    @Test
    void theAssignmentKeyIsTheFlow() {
        Datagram d = udp4(CLIENT, 5000);
        assertEquals(FlowKeys.flow(d), tracker.assignmentKey(cluster, d));
        assertEquals(53L << 48 | (CLIENT & 0xFFFF_FFFFL) << 16 | 5000, tracker.assignmentKey(cluster, d));
    }

    @Test
    void datagramsWithoutPortsGoByTheSourceAndAreNotRemembered() {
        Datagram noPorts = Packets.noPorts4(Packets.UDP, CLIENT);
        assertEquals(NodeAddress.NONE, tracker.related(cluster, noPorts));
        assertEquals(CLIENT & 0xFFFF_FFFFL, tracker.assignmentKey(cluster, noPorts));
        tracker.assigned(cluster, noPorts, A);
        assertEquals(0, tracker.entries(cluster));
    }

    @Test
    void relatedTwiceLeavesTheSameTableAsOnce() {
        UdpTracker twice = new UdpTracker(IDLE, FRAGMENT_LIFE, 1_000, 100);
        twice.clusterCreated(cluster);
        Random random = new Random(5);
        for (int i = 0; i < 2_000; i++) {
            Datagram d = udp4(CLIENT, 5000 + random.nextInt(20));
            long once = tracker.related(cluster, d);
            twice.related(cluster, d);
            assertEquals(once, twice.related(cluster, d), "datagram " + i);
            if (once == NodeAddress.NONE) {
                tracker.assigned(cluster, d, Nodes.MACS[i % 3]);
                twice.assigned(cluster, d, Nodes.MACS[i % 3]);
            }
            cluster.now += random.nextInt(10_000);
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(tracker.saveState(cluster), twice.saveState(cluster));
    }

    @Test
    void everyNodeBuildsTheSameTable() {
        Nodes<UdpTracker> nodes = new Nodes<>(() -> new UdpTracker(IDLE, FRAGMENT_LIFE, 64, 16), 5_000);
        Random random = new Random(11);
        for (int i = 0; i < 5_000; i++) {
            nodes.decide(udp4(v4(10, 0, 0, 1 + random.nextInt(3)), 1024 + random.nextInt(40)));
            nodes.advance(random.nextInt(500));
        }
        nodes.assertSameTables();
        assertTrue(nodes.tracker(0).evictions(nodes.cluster(0)) > 0, "the bound was reached");
    }

    // ------------------------------------------------------------------ nodes and clusters

    @Test
    void aDeadNodesFlowsAreForgotten() {
        for (int i = 0; i < 30; i++) {
            assigned(6000 + i, Nodes.MACS[i % 3]);
        }
        tracker.nodeDied(cluster, B);
        assertEquals(20, tracker.entries(cluster));
        for (int i = 0; i < 30; i++) {
            assertEquals(i % 3 == 1 ? NodeAddress.NONE : Nodes.MACS[i % 3], related(6000 + i));
        }
    }

    @Test
    void clustersAreIsolated() {
        FakeCluster other = new FakeCluster("nlb1", 5);
        tracker.clusterCreated(other);
        assigned(5000, A);
        tracker.assigned(other, udp4(CLIENT, 5000), B);
        assertEquals(A, related(5000));
        assertEquals(B, tracker.related(other, udp4(CLIENT, 5000)));
        tracker.clusterDeleted(other);
        assertEquals(0, tracker.entries(other));
        assertEquals(NodeAddress.NONE, tracker.related(other, udp4(CLIENT, 5000)));
        assertEquals(1, tracker.entries(cluster));
    }

    @Test
    void unknownClustersAndInvalidDatagramsAreIgnored() {
        FakeCluster unknown = new FakeCluster("nlb9", 0);
        tracker.assigned(unknown, udp4(CLIENT, 5000), A);
        tracker.nodeDied(unknown, A);
        tracker.clusterDeleted(unknown);
        assertEquals(NodeAddress.NONE, tracker.related(unknown, udp4(CLIENT, 5000)));
        assertEquals(0, tracker.entries(unknown));
        assertEquals(0, tracker.fragments(unknown));
        assertEquals(0, tracker.evictions(unknown));
        assertEquals(0, tracker.fragmentEvictions(unknown));
        Datagram garbage = Packets.garbage();
        tracker.assigned(cluster, garbage, A);
        assertEquals(NodeAddress.NONE, tracker.related(cluster, garbage));
        assertEquals(0, tracker.entries(cluster));
    }

    @Test
    void assigningToNoNodeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> assigned(5000, NodeAddress.NONE));
        assertEquals(0, tracker.entries(cluster));
    }

    @Test
    void createdTwiceKeepsTheTableAndDeletedStartsEmpty() {
        assigned(5000, A);
        tracker.clusterCreated(cluster);
        assertEquals(A, related(5000));
        tracker.clusterDeleted(cluster);
        tracker.clusterCreated(cluster);
        assertEquals(NodeAddress.NONE, related(5000));
    }

    // ------------------------------------------------------------------ bound

    @Test
    void aFloodStaysWithinTheBoundAndEvictionsAreCounted() {
        UdpTracker small = new UdpTracker(IDLE, FRAGMENT_LIFE, 3, 100);
        small.clusterCreated(cluster);
        for (int i = 1; i <= 50; i++) {
            cluster.now++;
            small.assigned(cluster, udp4(CLIENT, 1000 + i), A);
            assertTrue(small.entries(cluster) <= 3);
        }
        assertEquals(3, small.entries(cluster));
        assertEquals(47, small.evictions(cluster));
        for (int i = 48; i <= 50; i++) {
            assertEquals(A, small.related(cluster, udp4(CLIENT, 1000 + i)), "the newest flows remain");
        }
    }

    @Test
    void idleFlowsMakeRoomBeforeLiveOnesAreEvicted() {
        UdpTracker small = new UdpTracker(IDLE, FRAGMENT_LIFE, 2, 100);
        small.clusterCreated(cluster);
        small.assigned(cluster, udp4(CLIENT, 1), A);
        cluster.now += IDLE;
        small.assigned(cluster, udp4(CLIENT, 2), B);
        small.assigned(cluster, udp4(CLIENT, 3), C);
        assertEquals(0, small.evictions(cluster));
        assertEquals(B, small.related(cluster, udp4(CLIENT, 2)));
        assertEquals(C, small.related(cluster, udp4(CLIENT, 3)));
    }

    // ------------------------------------------------------------------ helpers

    static void assertMessageContains(String text, Executable executable) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertTrue(e.getMessage().contains(text), "message should name " + text + ": " + e.getMessage());
    }

    static UdpTracker.Config config(long idle, long fragment, int maxEntries, int maxFragments) {
        return new UdpTracker.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return UdpTracker.Config.class;
            }

            @Override
            public long idle_timeout_seconds() {
                return idle;
            }

            @Override
            public long fragment_timeout_seconds() {
                return fragment;
            }

            @Override
            public int max_entries() {
                return maxEntries;
            }

            @Override
            public int max_fragments() {
                return maxFragments;
            }
        };
    }
}
