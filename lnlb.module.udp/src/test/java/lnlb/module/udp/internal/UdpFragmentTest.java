package lnlb.module.udp.internal;

import lnlb.core.testing.Packets;
import lnlb.core.testing.FakeCluster;
import lnlb.core.testing.Nodes;

import static lnlb.core.testing.Packets.UDP;
import static lnlb.core.testing.Packets.trailing4;
import static lnlb.core.testing.Packets.udp4;
import static lnlb.core.testing.Packets.udpLeading4;
import static lnlb.core.testing.Packets.v4;
import static lnlb.module.udp.internal.UdpTrackerTest.A;
import static lnlb.module.udp.internal.UdpTrackerTest.B;
import static lnlb.module.udp.internal.UdpTrackerTest.C;
import static lnlb.module.udp.internal.UdpTrackerTest.FRAGMENT_LIFE;
import static lnlb.module.udp.internal.UdpTrackerTest.IDLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.table.FlowKeys;
import org.junit.jupiter.api.Test;

/** IP fragments of UDP datagrams (large DNS, SIP, NFS requests) reach the node that owns their flow. */
class UdpFragmentTest {
    private static final int CLIENT = v4(198, 51, 100, 7);

    private final FakeCluster cluster = new FakeCluster("nlb0", 1_000_000);
    private final UdpTracker tracker = new UdpTracker(IDLE, FRAGMENT_LIFE, 1_000, 100);

    UdpFragmentTest() {
        tracker.clusterCreated(cluster);
    }

    private long related(Datagram d) {
        return tracker.related(cluster, d);
    }

    @Test
    void trailingFragmentsOfATrackedFlowFollowItsOwner() {
        tracker.assigned(cluster, udp4(CLIENT, 5060), A);
        assertEquals(A, related(udpLeading4(CLIENT, 5060, 0x77)));
        assertEquals(A, related(trailing4(UDP, CLIENT, 0x77, 1480, true)));
        assertEquals(A, related(trailing4(UDP, CLIENT, 0x77, 2960, false)));
        assertEquals(NodeAddress.NONE, related(trailing4(UDP, CLIENT, 0x78, 1480, false)), "another datagram");
    }

    @Test
    void trailingFragmentsOfANewFlowFollowItsLeadingFragment() {
        Datagram leading = udpLeading4(CLIENT, 5060, 9);
        assertEquals(NodeAddress.NONE, related(leading));
        assertEquals(FlowKeys.flow(leading), tracker.assignmentKey(cluster, leading));
        tracker.assigned(cluster, leading, B);
        assertEquals(B, related(trailing4(UDP, CLIENT, 9, 1480, false)));
        assertEquals(B, related(udp4(CLIENT, 5060)));
        assertEquals(1, tracker.entries(cluster));
        assertEquals(1, tracker.fragments(cluster));
    }

    @Test
    void aTrailingFragmentArrivingFirstIsAssignedBySourceAndTheRestFollowIt() {
        Datagram early = trailing4(UDP, CLIENT, 5, 1480, false);
        assertEquals(NodeAddress.NONE, related(early));
        assertEquals(CLIENT & 0xFFFF_FFFFL, tracker.assignmentKey(cluster, early));
        tracker.assigned(cluster, early, C);
        assertEquals(0, tracker.entries(cluster));
        assertEquals(C, related(udpLeading4(CLIENT, 5060, 5)), "the leading fragment goes where its datagram went");
        assertEquals(C, related(udp4(CLIENT, 5060)), "and the flow starts there");
    }

    @Test
    void aTrackedFlowsOwnerWinsOverEarlyFragments() {
        tracker.assigned(cluster, udp4(CLIENT, 5060), A);
        tracker.assigned(cluster, trailing4(UDP, CLIENT, 6, 1480, true), B);
        assertEquals(A, related(udpLeading4(CLIENT, 5060, 6)));
        assertEquals(A, related(trailing4(UDP, CLIENT, 6, 2960, false)));
    }

    @Test
    void fragmentEntriesLiveTheFragmentTimeout() {
        tracker.assigned(cluster, udpLeading4(CLIENT, 5060, 1), A);
        cluster.now += FRAGMENT_LIFE - 1;
        assertEquals(A, related(trailing4(UDP, CLIENT, 1, 8, true)));
        cluster.now += 1;
        assertEquals(NodeAddress.NONE, related(trailing4(UDP, CLIENT, 1, 16, false)));
    }

    @Test
    void ipv6Fragments() {
        Datagram leading = Packets.leading6(UDP, 42, 5060, 0, 0xABCD_0001);
        assertEquals(NodeAddress.NONE, related(leading));
        tracker.assigned(cluster, leading, B);
        assertEquals(B, related(Packets.trailing6(UDP, 42, 0xABCD_0001, 1008, false)));
        assertEquals(NodeAddress.NONE, related(Packets.trailing6(UDP, 43, 0xABCD_0001, 1008, false)));
        Datagram atomic = Packets.atomic6(UDP, 44, 5060, 0, 3);
        tracker.assigned(cluster, atomic, A);
        assertEquals(1, tracker.fragments(cluster), "an atomic fragment is a whole datagram");
        assertEquals(A, related(atomic));
    }

    @Test
    void deadNodesAndTheBound() {
        UdpTracker small = new UdpTracker(IDLE, FRAGMENT_LIFE, 1_000, 2);
        small.clusterCreated(cluster);
        for (int id = 0; id < 10; id++) {
            cluster.now++;
            small.assigned(cluster, udpLeading4(CLIENT, 5000 + id, id), id % 2 == 0 ? A : B);
        }
        assertEquals(2, small.fragments(cluster));
        assertEquals(8, small.fragmentEvictions(cluster));
        small.nodeDied(cluster, B);
        assertEquals(1, small.fragments(cluster));
        assertEquals(A, small.related(cluster, trailing4(UDP, CLIENT, 8, 8, false)));
        assertEquals(NodeAddress.NONE, small.related(cluster, trailing4(UDP, CLIENT, 9, 8, false)));
    }

    @Test
    void threeNodesAgreeOnEveryFragmentInAnyOrder() {
        Nodes<UdpTracker> nodes = new Nodes<>(() -> new UdpTracker(IDLE, FRAGMENT_LIFE, 1_000, 100), 0);
        for (int port = 5000; port < 5060; port++) {
            int id = port;
            long owner = nodes.decide(udpLeading4(CLIENT, port, id));
            assertEquals(owner, nodes.decide(trailing4(UDP, CLIENT, id, 1480, true)));
            assertEquals(owner, nodes.decide(trailing4(UDP, CLIENT, id, 2960, false)));
            int reversed = id + 10_000;
            long early = nodes.decide(trailing4(UDP, CLIENT, reversed, 2960, false));
            long leading = nodes.decide(udpLeading4(CLIENT, port, reversed));
            assertEquals(owner, leading, "a tracked flow keeps its owner");
            assertEquals(owner, nodes.decide(trailing4(UDP, CLIENT, reversed, 1480, true)));
            nodes.advance(100);
            if (early != owner) {
                // Only the fragment that came first went elsewhere (by source hash): that datagram is lost.
                assertEquals(nodes.view.table().ownerOfKey(CLIENT & 0xFFFF_FFFFL), early);
            }
        }
        nodes.assertSameTables();
    }
}
