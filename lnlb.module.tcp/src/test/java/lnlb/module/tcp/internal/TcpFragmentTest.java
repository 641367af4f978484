package lnlb.module.tcp.internal;

import lnlb.core.testing.Packets;
import lnlb.core.testing.FakeCluster;
import lnlb.core.testing.Nodes;

import static lnlb.core.testing.Packets.ACK;
import static lnlb.core.testing.Packets.PSH;
import static lnlb.core.testing.Packets.SYN;
import static lnlb.core.testing.Packets.TCP;
import static lnlb.core.testing.Packets.tcp4;
import static lnlb.core.testing.Packets.tcpLeading4;
import static lnlb.core.testing.Packets.trailing4;
import static lnlb.core.testing.Packets.v4;
import static lnlb.module.tcp.internal.TcpTrackerTest.A;
import static lnlb.module.tcp.internal.TcpTrackerTest.B;
import static lnlb.module.tcp.internal.TcpTrackerTest.C;
import static lnlb.module.tcp.internal.TcpTrackerTest.FRAGMENT_LIFE;
import static lnlb.module.tcp.internal.TcpTrackerTest.TIMEOUTS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.table.FlowKeys;
import org.junit.jupiter.api.Test;

/**
 * IP fragments: non-first fragments carry no ports, yet must reach the node that owns their
 * connection. Single-tracker tests check the mechanism; {@link Nodes} tests check that three nodes
 * deciding the same fragments in the engine's way agree on every one.
 */
class TcpFragmentTest {
    private static final int CLIENT = v4(198, 51, 100, 7);

    private final FakeCluster cluster = new FakeCluster("nlb0", 1_000_000);
    private final TcpTracker tracker = new TcpTracker(TIMEOUTS, 1_000, 100);

    TcpFragmentTest() {
        tracker.clusterCreated(cluster);
    }

    private long related(Datagram d) {
        return tracker.related(cluster, d);
    }

    @Test
    void trailingFragmentsOfATrackedConnectionFollowItsOwner() {
        tracker.assigned(cluster, tcp4(CLIENT, 40000, SYN), A);
        assertEquals(A, related(tcpLeading4(CLIENT, 40000, ACK, 0x77)));
        assertEquals(1, tracker.fragments(cluster));
        assertEquals(A, related(trailing4(TCP, CLIENT, 0x77, 1480, true)));
        assertEquals(A, related(trailing4(TCP, CLIENT, 0x77, 2960, false)));
        assertEquals(NodeAddress.NONE, related(trailing4(TCP, CLIENT, 0x78, 1480, false)), "another datagram");
    }

    @Test
    void trailingFragmentsOfANewConnectionFollowTheNodeItsLeadingFragmentWasAssignedTo() {
        Datagram leading = tcpLeading4(CLIENT, 40000, SYN, 9);
        assertEquals(NodeAddress.NONE, related(leading));
        assertEquals(FlowKeys.flow(leading), tracker.assignmentKey(cluster, leading));
        tracker.assigned(cluster, leading, B);
        assertEquals(TcpState.SYN_SEEN, tracker.state(cluster, leading));
        assertEquals(B, related(trailing4(TCP, CLIENT, 9, 24, false)));
        assertEquals(B, related(tcp4(CLIENT, 40000, ACK)));
    }

    @Test
    void aTrailingFragmentArrivingFirstIsAssignedBySourceAndTheRestFollowIt() {
        Datagram early = trailing4(TCP, CLIENT, 5, 1480, false);
        assertEquals(NodeAddress.NONE, related(early));
        assertEquals(CLIENT & 0xFFFF_FFFFL, tracker.assignmentKey(cluster, early), "no ports: the source alone");
        tracker.assigned(cluster, early, C);
        assertEquals(0, tracker.entries(cluster), "no connection is known yet");
        assertEquals(C, related(trailing4(TCP, CLIENT, 5, 2960, false)));
        // The leading fragment of an unknown connection goes where its datagram went, and the
        // connection starts there.
        Datagram leading = tcpLeading4(CLIENT, 40000, SYN, 5);
        assertEquals(C, related(leading));
        assertEquals(TcpState.SYN_SEEN, tracker.state(cluster, leading));
        assertEquals(C, related(tcp4(CLIENT, 40000, ACK)));
    }

    @Test
    void aLeadingFragmentAskedAboutTwiceLeavesTheSameTableAsOnce() {
        TcpTracker twice = new TcpTracker(TIMEOUTS, 1_000, 100);
        twice.clusterCreated(cluster);
        int id = 40;
        for (int flags : new int[] {SYN, ACK, PSH | ACK, SYN | ACK, Packets.FIN | ACK, 0}) {
            Datagram early = trailing4(TCP, CLIENT, id, 1480, false);
            tracker.assigned(cluster, early, C);
            twice.assigned(cluster, early, C);
            Datagram leading = tcpLeading4(CLIENT, 41000 + id, flags, id);
            assertEquals(C, tracker.related(cluster, leading));
            assertEquals(C, twice.related(cluster, leading));
            assertEquals(C, twice.related(cluster, leading)); // the engine's coordinator window does this
            assertEquals(tracker.state(cluster, leading), twice.state(cluster, leading), "flags " + flags);
            id++;
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(tracker.saveState(cluster), twice.saveState(cluster));
    }

    @Test
    void aTrackedConnectionsOwnerWinsOverEarlyFragments() {
        tracker.assigned(cluster, tcp4(CLIENT, 40000, SYN), A);
        related(tcp4(CLIENT, 40000, ACK));
        tracker.assigned(cluster, trailing4(TCP, CLIENT, 6, 1480, true), B); // arrived first, by source hash
        assertEquals(A, related(tcpLeading4(CLIENT, 40000, PSH | ACK, 6)));
        assertEquals(A, related(trailing4(TCP, CLIENT, 6, 2960, false)), "the later fragments follow the owner");
    }

    @Test
    void fragmentEntriesLiveTheFragmentTimeout() {
        tracker.assigned(cluster, tcp4(CLIENT, 40000, SYN), A);
        related(tcpLeading4(CLIENT, 40000, ACK, 1));
        cluster.now += FRAGMENT_LIFE - 1;
        assertEquals(A, related(trailing4(TCP, CLIENT, 1, 8, true)));
        cluster.now += 1;
        assertEquals(NodeAddress.NONE, related(trailing4(TCP, CLIENT, 1, 16, false)));
        assertEquals(0, tracker.fragments(cluster));
    }

    @Test
    void ipv6Fragments() {
        Datagram leading = Packets.leading6(TCP, 42, 40000, SYN, 0xABCD_0001);
        assertEquals(NodeAddress.NONE, related(leading));
        tracker.assigned(cluster, leading, B);
        assertEquals(B, related(Packets.trailing6(TCP, 42, 0xABCD_0001, 1232, false)));
        assertEquals(NodeAddress.NONE, related(Packets.trailing6(TCP, 43, 0xABCD_0001, 1232, false)));
        assertEquals(B, related(Packets.tcp6(42, 40000, ACK)));
    }

    @Test
    void anAtomicFragmentIsAWholeSegment() {
        Datagram atomic = Packets.atomic6(TCP, 42, 40000, SYN, 3);
        assertEquals(NodeAddress.NONE, related(atomic));
        tracker.assigned(cluster, atomic, A);
        assertEquals(1, tracker.entries(cluster));
        assertEquals(0, tracker.fragments(cluster));
    }

    @Test
    void aDeadNodesFragmentsAreForgotten() {
        tracker.assigned(cluster, tcpLeading4(CLIENT, 40000, SYN, 1), A);
        tracker.assigned(cluster, tcpLeading4(CLIENT, 40001, SYN, 2), B);
        tracker.nodeDied(cluster, A);
        assertEquals(NodeAddress.NONE, related(trailing4(TCP, CLIENT, 1, 8, false)));
        assertEquals(B, related(trailing4(TCP, CLIENT, 2, 8, false)));
        assertEquals(1, tracker.fragments(cluster));
    }

    @Test
    void theFragmentTableIsBounded() {
        TcpTracker small = new TcpTracker(TIMEOUTS, 1_000, 2);
        small.clusterCreated(cluster);
        for (int id = 0; id < 10; id++) {
            cluster.now++;
            small.assigned(cluster, tcpLeading4(CLIENT, 40000 + id, SYN, id), A);
        }
        assertEquals(2, small.fragments(cluster));
        assertEquals(8, small.fragmentEvictions(cluster));
        assertEquals(10, small.entries(cluster));
    }

    // ------------------------------------------------------------------ three nodes, the engine's way

    @Test
    void threeNodesAgreeOnEveryFragmentInOrder() {
        Nodes<TcpTracker> nodes = new Nodes<>(() -> new TcpTracker(TIMEOUTS, 1_000, 100), 0);
        for (int port = 40000; port < 40060; port++) {
            int id = port - 39000;
            long owner = nodes.decide(tcpLeading4(CLIENT, port, SYN, id));
            assertEquals(owner, nodes.decide(trailing4(TCP, CLIENT, id, 1480, true)), "port " + port);
            assertEquals(owner, nodes.decide(trailing4(TCP, CLIENT, id, 2960, false)), "port " + port);
            assertEquals(owner, nodes.decide(tcp4(CLIENT, port, ACK)), "port " + port);
            int next = id + 10_000;
            assertEquals(owner, nodes.decide(tcpLeading4(CLIENT, port, PSH | ACK, next)));
            assertEquals(owner, nodes.decide(trailing4(TCP, CLIENT, next, 1480, false)));
        }
        nodes.assertSameTables();
    }

    @Test
    void threeNodesAgreeWhenTheLastFragmentComesFirst() {
        Nodes<TcpTracker> nodes = new Nodes<>(() -> new TcpTracker(TIMEOUTS, 1_000, 100), 0);
        int offFlowHash = 0;
        for (int port = 40000; port < 40060; port++) {
            int id = port - 39000;
            long early = nodes.decide(trailing4(TCP, CLIENT, id, 2960, false));
            assertEquals(early, nodes.decide(tcpLeading4(CLIENT, port, SYN, id)), "port " + port);
            assertEquals(early, nodes.decide(trailing4(TCP, CLIENT, id, 1480, true)), "port " + port);
            assertEquals(early, nodes.decide(tcp4(CLIENT, port, ACK)), "the connection stays with its first datagram");
            if (early != nodes.view.table().ownerOfKey(FlowKeys.flow(tcp4(CLIENT, port, SYN)))) {
                offFlowHash++;
            }
        }
        assertNotEquals(0, offFlowHash, "some connections started where only the source hash put them");
        nodes.assertSameTables();
    }
}
