package lnlb.module.tcp.internal;

import static lnlb.core.testing.Packets.ACK;
import static lnlb.core.testing.Packets.SYN;
import static lnlb.core.testing.Packets.tcp4To;
import static lnlb.core.testing.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;

import lnlb.core.api.Affinity;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.table.FlowKeys;
import lnlb.core.testing.FakeCluster;
import lnlb.core.testing.Nodes;
import org.junit.jupiter.api.Test;

/**
 * The TCP tracker under each affinity the core classifies a segment with (issue 13): connections
 * are always tracked one by one, and the affinity decides where a new one goes.
 */
class TcpAffinityTest {
    static final long A = Nodes.A;
    static final long B = Nodes.B;
    static final int CLIENT = v4(192, 168, 1, 1);
    static final int NEIGHBOUR = v4(192, 168, 1, 200);
    static final int STRANGER = v4(192, 168, 2, 1);

    private final FakeCluster cluster = new FakeCluster("nlb0", 1_000_000);
    private final TcpTracker tracker = new TcpTracker(TcpTrackerTest.TIMEOUTS, 1_000, 100);

    TcpAffinityTest() {
        tracker.clusterCreated(cluster);
    }

    private static Datagram segment(int source, int port, int destination, int flags, int affinity) {
        return tcp4To(source, port, destination, flags).classify(affinity);
    }

    /** A connection opened by hash on {@code node}, as the core does for a segment nobody claims. */
    private void open(int source, int port, int destination, int affinity, long node) {
        assertEquals(NodeAddress.NONE, tracker.related(cluster, segment(source, port, destination, SYN, affinity)));
        tracker.assigned(cluster, segment(source, port, destination, SYN, affinity), node);
        assertEquals(node, tracker.related(cluster, segment(source, port, destination, ACK, affinity)));
    }

    @Test
    void sourceAffinityKeepsEveryNewConnectionOfAClientOnItsNode() {
        open(CLIENT, 40000, 5201, Affinity.SOURCE, B);
        for (int port = 40001; port < 40010; port++) {
            Datagram syn = segment(CLIENT, port, 5201, SYN, Affinity.SOURCE);
            assertEquals(B, tracker.related(cluster, syn), "connection from port " + port);
        }
        Datagram syn = segment(CLIENT, 50000, 443, SYN, Affinity.SOURCE);
        assertEquals(syn.sourceKey(), tracker.assignmentKey(cluster, syn), "hashed by the client alone");
        assertEquals(NodeAddress.NONE, tracker.related(cluster, segment(STRANGER, 40000, 5201, SYN, Affinity.SOURCE)));
    }

    @Test
    void connectionAffinitySpreadsNewConnections() {
        open(CLIENT, 40000, 80, Affinity.CONNECTION, B);
        Datagram syn = segment(CLIENT, 40001, 80, SYN, Affinity.CONNECTION);
        assertEquals(NodeAddress.NONE, tracker.related(cluster, syn), "a new connection is hashed on its own");
        assertEquals(FlowKeys.flow(syn), tracker.assignmentKey(cluster, syn));
    }

    @Test
    void networkAffinityKeepsASlash24Together() {
        open(CLIENT, 40000, 80, Affinity.NETWORK, A);
        assertEquals(A, tracker.related(cluster, segment(NEIGHBOUR, 1234, 80, SYN, Affinity.NETWORK)));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, segment(STRANGER, 1234, 80, SYN, Affinity.NETWORK)));
        Datagram syn = segment(NEIGHBOUR, 1, 80, SYN, Affinity.NETWORK);
        assertEquals(v4(192, 168, 1, 0) & 0xFFFF_FFFFL, tracker.assignmentKey(cluster, syn));
    }

    @Test
    void anEstablishedConnectionKeepsItsNodeWhenTheRulesChange() {
        open(CLIENT, 40000, 80, Affinity.CONNECTION, B);
        open(CLIENT, 40001, 5201, Affinity.SOURCE, A);
        for (int affinity : new int[] {Affinity.SOURCE, Affinity.CONNECTION, Affinity.NETWORK}) {
            assertEquals(B, tracker.related(cluster, segment(CLIENT, 40000, 80, ACK, affinity)));
            assertEquals(A, tracker.related(cluster, segment(CLIENT, 40001, 5201, ACK, affinity)));
        }
    }

    @Test
    void oneClientPortToTwoVipPortsIsTwoConnections() {
        open(CLIENT, 40000, 80, Affinity.CONNECTION, A);
        open(CLIENT, 40000, 443, Affinity.CONNECTION, B);
        assertEquals(A, tracker.related(cluster, segment(CLIENT, 40000, 80, ACK, Affinity.CONNECTION)));
        assertEquals(B, tracker.related(cluster, segment(CLIENT, 40000, 443, ACK, Affinity.CONNECTION)));
    }

    @Test
    void aConnectionOfAnOldDumpIsFoundUnderItsLegacyKey() {
        Datagram ack = segment(CLIENT, 40000, 80, ACK, Affinity.CONNECTION);
        tracker.tables(cluster).flows().put(FlowKeys.legacyFlow(ack), B, cluster.nowMillis(), TcpState.ESTABLISHED);
        assertEquals(B, tracker.related(cluster, ack));
        assertEquals(B, tracker.lookup(cluster, segment(CLIENT, 40000, 80, ACK, Affinity.CONNECTION)));
    }

    @Test
    void aDeadNodesClientsAreForgotten() {
        open(CLIENT, 40000, 5201, Affinity.SOURCE, B);
        tracker.nodeDied(cluster, B);
        assertEquals(0, tracker.entries(cluster));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, segment(CLIENT, 40001, 5201, SYN, Affinity.SOURCE)));
    }

    @Test
    void aHandOverMovesTheClientToo() {
        open(CLIENT, 40000, 5201, Affinity.SOURCE, B);
        tracker.assigned(cluster, segment(CLIENT, 40000, 5201, ACK, Affinity.SOURCE), A); // B left the view
        assertEquals(A, tracker.related(cluster, segment(CLIENT, 40002, 5201, SYN, Affinity.SOURCE)));
    }

    @Test
    void theClientLivesAsLongAsItsConnections() {
        open(CLIENT, 40000, 5201, Affinity.SOURCE, B);
        cluster.now += TcpTrackerTest.IDLE - 1;
        assertEquals(B, tracker.related(cluster, segment(CLIENT, 40000, 5201, ACK, Affinity.SOURCE)));
        cluster.now += TcpTrackerTest.IDLE - 1;
        assertEquals(B, tracker.related(cluster, segment(CLIENT, 40001, 5201, SYN, Affinity.SOURCE)),
                "refreshed by its established connection");
        cluster.now += TcpTrackerTest.IDLE;
        assertEquals(NodeAddress.NONE, tracker.related(cluster, segment(CLIENT, 40002, 5201, SYN, Affinity.SOURCE)),
                "idle past its life");
    }

    @Test
    void aClientOfADrainingNodeOpensItsNewConnectionsElsewhere() {
        open(CLIENT, 40000, 5201, Affinity.SOURCE, B);
        long[] drainingB = {B};
        Datagram syn = tcp4To(CLIENT, 40001, 5201, SYN).classify(Affinity.SOURCE, drainingB);
        assertEquals(NodeAddress.NONE, tracker.related(cluster, syn), "B drains: the new connection is hashed");
        assertEquals(NodeAddress.NONE, tracker.lookup(cluster, tcp4To(CLIENT, 40009, 5201, SYN)
                .classify(Affinity.SOURCE, drainingB)));
        tracker.assigned(cluster, tcp4To(CLIENT, 40001, 5201, SYN).classify(Affinity.SOURCE, drainingB), A);
        assertEquals(B, tracker.related(cluster, tcp4To(CLIENT, 40000, 5201, ACK).classify(Affinity.SOURCE, drainingB)),
                "its established connection stays on the draining node");
        assertEquals(A, tracker.related(cluster, tcp4To(CLIENT, 40002, 5201, SYN).classify(Affinity.SOURCE, drainingB)),
                "the client follows its new connection");
    }
}
