package lnlb.module.tcp.internal;

import lnlb.core.testing.Packets;
import lnlb.core.testing.FakeCluster;
import lnlb.core.testing.Nodes;

import static lnlb.core.testing.Packets.ACK;
import static lnlb.core.testing.Packets.FIN;
import static lnlb.core.testing.Packets.PSH;
import static lnlb.core.testing.Packets.RST;
import static lnlb.core.testing.Packets.SYN;
import static lnlb.core.testing.Packets.tcp4;
import static lnlb.core.testing.Packets.tcp6;
import static lnlb.core.testing.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/** Open box: the state machine, expiry, nodes, clusters and the bound, with a fake cluster. */
class TcpTrackerTest {
    static final long A = Nodes.A;
    static final long B = Nodes.B;
    static final long C = Nodes.C;
    static final long IDLE = 600_000;
    static final long SYN_LIFE = 30_000;
    static final long FIN_LIFE = 60_000;
    static final long RST_LIFE = 10_000;
    static final long FRAGMENT_LIFE = 20_000;
    static final TcpTimeouts TIMEOUTS = new TcpTimeouts(IDLE, SYN_LIFE, FIN_LIFE, RST_LIFE, FRAGMENT_LIFE);
    static final int CLIENT = v4(192, 168, 1, 1);

    private final FakeCluster cluster = new FakeCluster("nlb0", 1_000_000);
    private final TcpTracker tracker = new TcpTracker(TIMEOUTS, 1_000, 100);

    TcpTrackerTest() {
        tracker.clusterCreated(cluster);
    }

    private long related(int port, int flags) {
        return tracker.related(cluster, tcp4(CLIENT, port, flags));
    }

    private void assigned(int port, int flags, long node) {
        tracker.assigned(cluster, tcp4(CLIENT, port, flags), node);
    }

    private int state(int port) {
        return tracker.state(cluster, tcp4(CLIENT, port, ACK));
    }

    /** SYN assigned to {@code node}, then the handshake's ACK. */
    private void established(int port, long node) {
        assertEquals(NodeAddress.NONE, related(port, SYN));
        assigned(port, SYN, node);
        assertEquals(node, related(port, ACK));
        assertEquals(TcpState.ESTABLISHED, state(port));
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void defaults() {
        TcpTracker configured = new TcpTracker(config(7440, 30, 60, 10, 30, 1_000_000, 65_536));
        assertEquals(TcpTimeouts.DEFAULTS, configured.timeouts());
        assertEquals(new TcpTimeouts(7_440_000, 30_000, 60_000, 10_000, 30_000), configured.timeouts());
        assertEquals(1_000_000, configured.maxEntries());
        assertEquals(65_536, configured.maxFragments());
        assertEquals("lnlb.module.tcp", TcpTracker.PID);
    }

    @Test
    void invalidConfigurationNamesTheKey() {
        assertMessageContains("idle.timeout.seconds", () -> new TcpTracker(config(0, 30, 60, 10, 30, 10, 10)));
        assertMessageContains("syn.timeout.seconds", () -> new TcpTracker(config(7440, 0, 60, 10, 30, 10, 10)));
        assertMessageContains("fin.timeout.seconds", () -> new TcpTracker(config(7440, 30, -1, 10, 30, 10, 10)));
        assertMessageContains("rst.timeout.seconds", () -> new TcpTracker(config(7440, 30, 60, 0, 30, 10, 10)));
        assertMessageContains("fragment.timeout.seconds", () -> new TcpTracker(config(7440, 30, 60, 10, 0, 10, 10)));
        assertMessageContains("idle.timeout.seconds",
                () -> new TcpTracker(config(Long.MAX_VALUE, 30, 60, 10, 30, 10, 10)));
        assertMessageContains("syn.timeout.seconds", () -> new TcpTracker(config(20, 30, 10, 10, 30, 10, 10)));
        assertMessageContains("fin.timeout.seconds", () -> new TcpTracker(config(50, 30, 60, 10, 30, 10, 10)));
        assertMessageContains("max.entries", () -> new TcpTracker(config(7440, 30, 60, 10, 30, 0, 10)));
        assertMessageContains("max.entries",
                () -> new TcpTracker(config(7440, 30, 60, 10, 30, TcpTracker.MAX_ENTRIES + 1, 10)));
        assertMessageContains("max.fragments", () -> new TcpTracker(config(7440, 30, 60, 10, 30, 10, 0)));
        assertMessageContains("max.fragments",
                () -> new TcpTracker(config(7440, 30, 60, 10, 30, TcpTracker.MAX_ENTRIES, 1)));
        assertThrows(IllegalArgumentException.class, () -> new TcpTracker(null, 10, 10));
    }

    // ------------------------------------------------------------------ opening

    @Test
    void aSynOfAnUnknownConnectionIsLeftToTheHash() {
        assertEquals(NodeAddress.NONE, related(40000, SYN));
        assertEquals(0, tracker.entries(cluster), "related alone remembers nothing");
        assigned(40000, SYN, A);
        assertEquals(TcpState.SYN_SEEN, state(40000));
        assertEquals(1, tracker.entries(cluster));
    }

    @Test
    void retransmittedSynsKeepTheirOwner() {
        assigned(40000, SYN, A);
        for (int i = 0; i < 5; i++) {
            cluster.now += SYN_LIFE - 1;
            assertEquals(A, related(40000, SYN), "retransmission " + i);
            assertEquals(TcpState.SYN_SEEN, state(40000));
        }
    }

    @Test
    void theHandshakeEstablishesAndDataFollows() {
        established(40000, B);
        assertEquals(B, related(40000, PSH | ACK));
        assertEquals(B, related(40000, ACK));
        assertEquals(NodeAddress.NONE, related(40001, ACK), "another port is another connection");
    }

    @Test
    void aSynOnALiveConnectionKeepsItsOwner() {
        established(40000, C);
        assertEquals(C, related(40000, SYN));
        assertEquals(TcpState.ESTABLISHED, state(40000));
    }

    @Test
    void anUnansweredSynExpiresAfterTheSynTimeout() {
        assigned(40000, SYN, A);
        cluster.now += SYN_LIFE;
        assertEquals(NodeAddress.NONE, related(40000, SYN));
        assertEquals(0, tracker.entries(cluster));
    }

    @Test
    void anEstablishedConnectionLivesTheIdleTimeoutAfterEachSegment() {
        established(40000, A);
        for (int i = 0; i < 3; i++) {
            cluster.now += IDLE - 1;
            assertEquals(A, related(40000, ACK), "step " + i);
        }
        cluster.now += IDLE;
        assertEquals(NodeAddress.NONE, related(40000, ACK));
    }

    // ------------------------------------------------------------------ closing

    @Test
    void finShortensTheLifeButTheLastSegmentsStillFindTheOwner() {
        established(40000, A);
        assertEquals(A, related(40000, FIN | ACK));
        assertEquals(TcpState.FIN_SEEN, state(40000));
        cluster.now += FIN_LIFE - 1;
        assertEquals(A, related(40000, ACK), "last ACK of the close");
        assertEquals(TcpState.FIN_SEEN, state(40000), "a segment after FIN does not reopen");
        cluster.now += FIN_LIFE - 1;
        assertEquals(A, related(40000, ACK), "each segment renews the FIN life, not the idle one");
        cluster.now += FIN_LIFE;
        assertEquals(NodeAddress.NONE, related(40000, ACK));
    }

    @Test
    void rstShortensTheLifeMore() {
        established(40000, A);
        assertEquals(A, related(40000, RST));
        assertEquals(TcpState.RST_SEEN, state(40000));
        cluster.now += RST_LIFE - 1;
        assertEquals(A, related(40000, RST | ACK));
        assertEquals(A, related(40000, FIN | ACK));
        assertEquals(TcpState.RST_SEEN, state(40000), "FIN after RST stays RST");
        cluster.now += RST_LIFE;
        assertEquals(NodeAddress.NONE, related(40000, ACK));
    }

    @Test
    void rstAfterFinShortensFurther() {
        established(40000, A);
        related(40000, FIN | ACK);
        related(40000, RST);
        assertEquals(TcpState.RST_SEEN, state(40000));
        cluster.now += RST_LIFE;
        assertEquals(NodeAddress.NONE, related(40000, ACK));
    }

    @Test
    void aSynAfterFinOrRstOpensANewConnectionWithANewOwner() {
        established(40000, A);
        related(40000, FIN | ACK);
        assertEquals(NodeAddress.NONE, related(40000, SYN), "the port's last connection finished");
        assertEquals(NodeAddress.NONE, related(40000, SYN), "asking twice changes nothing");
        assigned(40000, SYN, B);
        assertEquals(TcpState.SYN_SEEN, state(40000));
        assertEquals(B, related(40000, ACK));

        established(40001, A);
        related(40001, RST);
        assertEquals(NodeAddress.NONE, related(40001, SYN));
        assigned(40001, SYN, C);
        assertEquals(C, related(40001, SYN), "and its retransmission keeps the new owner");
        assertEquals(2, tracker.entries(cluster));
    }

    @Test
    void synWithFinOrRstIsNotAnOpening() {
        established(40000, A);
        related(40000, FIN | ACK);
        assertEquals(A, related(40000, SYN | FIN));
        assertEquals(A, related(40000, SYN | RST));
        assertEquals(TcpState.RST_SEEN, state(40000));
    }

    // ------------------------------------------------------------------ unknown connections mid-stream

    @Test
    void aSegmentOfAnUnknownConnectionIsPickedUpByHashForAShortTime() {
        assertEquals(NodeAddress.NONE, related(40000, PSH | ACK));
        assigned(40000, PSH | ACK, B);
        assertEquals(TcpState.PICKED_UP, state(40000));
        cluster.now += SYN_LIFE;
        assertEquals(NodeAddress.NONE, related(40000, ACK), "a lone stray segment is forgotten after the SYN timeout");
    }

    @Test
    void aPickedUpConnectionIsConfirmedByItsNextSegment() {
        assigned(40000, ACK, B);
        cluster.now += SYN_LIFE - 1;
        assertEquals(B, related(40000, ACK));
        assertEquals(TcpState.ESTABLISHED, state(40000));
        cluster.now += IDLE - 1;
        assertEquals(B, related(40000, ACK));
    }

    @Test
    void anRstOfAnUnknownConnectionIsNotRemembered() {
        assertEquals(NodeAddress.NONE, related(40000, RST | ACK));
        assigned(40000, RST | ACK, A);
        assertEquals(0, tracker.entries(cluster));
    }

    @Test
    void aFinOfAnUnknownConnectionIsRememberedForTheFinTimeout() {
        assigned(40000, FIN | ACK, A);
        assertEquals(TcpState.FIN_SEEN, state(40000));
        assertEquals(A, related(40000, ACK));
        cluster.now += FIN_LIFE;
        assertEquals(NodeAddress.NONE, related(40000, ACK));
    }

    @Test
    void aSynAckFromTheClientIsNotAnOpening() {
        assigned(40000, SYN | ACK, A);
        assertEquals(TcpState.PICKED_UP, state(40000));
    }

    @Test
    void aHeaderTooShortForTheFlagsChangesNothing() {
        Datagram unknown = Packets.tcp4Short(CLIENT, 40000);
        assertEquals(NodeAddress.NONE, tracker.related(cluster, unknown));
        tracker.assigned(cluster, unknown, A);
        assertEquals(0, tracker.entries(cluster));
        established(40001, B);
        assertEquals(B, tracker.related(cluster, Packets.tcp4Short(CLIENT, 40001)));
        assertEquals(TcpState.ESTABLISHED, state(40001));
    }

    @Test
    void datagramsWithoutPortsGoByTheSourceAndAreNotRemembered() {
        Datagram noPorts = Packets.noPorts4(Packets.TCP, CLIENT);
        assertEquals(NodeAddress.NONE, tracker.related(cluster, noPorts));
        assertEquals(CLIENT & 0xFFFF_FFFFL, tracker.assignmentKey(cluster, noPorts));
        tracker.assigned(cluster, noPorts, A);
        assertEquals(0, tracker.entries(cluster));
    }

    // ------------------------------------------------------------------ keys

    @Test
    void theAssignmentKeyIsTheConnection() {
        Datagram syn = tcp4(CLIENT, 40000, SYN);
        assertEquals(FlowKeys.flow(syn), tracker.assignmentKey(cluster, syn));
        assertEquals(80L << 48 | (CLIENT & 0xFFFF_FFFFL) << 16 | 40000, tracker.assignmentKey(cluster, syn));
    }

    @Test
    void ipv6ConnectionsAreTrackedApart() {
        tracker.assigned(cluster, tcp6(1, 40000, SYN), A);
        tracker.assigned(cluster, tcp6(2, 40000, SYN), B);
        tracker.assigned(cluster, tcp6(1, 40001, SYN), C);
        assertEquals(A, tracker.related(cluster, tcp6(1, 40000, ACK)));
        assertEquals(B, tracker.related(cluster, tcp6(2, 40000, ACK)));
        assertEquals(C, tracker.related(cluster, tcp6(1, 40001, ACK)));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, tcp4(1, 40000, ACK)));
    }

    // ------------------------------------------------------------------ the engine's call patterns

    @Test
    void aTrackedConnectionHandedToAnotherNodeKeepsItsState() {
        established(40000, A);
        related(40000, FIN | ACK);
        assigned(40000, ACK, B); // A left the view: the engine assigns the segment again
        assertEquals(B, related(40000, ACK));
        assertEquals(TcpState.FIN_SEEN, state(40000));
    }

    @Test
    void relatedTwiceLeavesTheSameTableAsOnce() {
        TcpTracker twice = new TcpTracker(TIMEOUTS, 1_000, 100);
        twice.clusterCreated(cluster);
        int[] flags = {SYN, SYN, ACK, PSH | ACK, FIN | ACK, ACK, SYN, RST, ACK, SYN | ACK};
        Random random = new Random(5);
        for (int i = 0; i < 2_000; i++) {
            Datagram d = tcp4(CLIENT, 40000 + random.nextInt(20), flags[random.nextInt(flags.length)]);
            long once = tracker.related(cluster, d);
            twice.related(cluster, d);
            long again = twice.related(cluster, d);
            assertEquals(once, again, "datagram " + i);
            if (once == NodeAddress.NONE) {
                tracker.assigned(cluster, d, Nodes.MACS[i % 3]);
                twice.assigned(cluster, d, Nodes.MACS[i % 3]);
            }
            cluster.now += random.nextInt(5_000);
        }
        assertArrayEquals(tracker.saveState(cluster), twice.saveState(cluster));
    }

    @Test
    void everyNodeBuildsTheSameTable() {
        Nodes<TcpTracker> nodes = new Nodes<>(() -> new TcpTracker(TIMEOUTS, 64, 16), 5_000);
        int[] flags = {SYN, SYN, ACK, ACK, PSH | ACK, FIN | ACK, RST, SYN | ACK, 0};
        Random random = new Random(11);
        for (int i = 0; i < 5_000; i++) {
            int client = v4(10, 0, 0, 1 + random.nextInt(3));
            nodes.decide(tcp4(client, 1024 + random.nextInt(40), flags[random.nextInt(flags.length)]));
            nodes.advance(random.nextInt(2_000));
        }
        nodes.assertSameTables();
        assertTrue(nodes.tracker(0).evictions(nodes.cluster(0)) > 0, "the bound was reached");
    }

    // ------------------------------------------------------------------ nodes and clusters

    @Test
    void aDeadNodesConnectionsAreForgotten() {
        for (int i = 0; i < 30; i++) {
            assigned(41000 + i, SYN, Nodes.MACS[i % 3]);
        }
        tracker.nodeDied(cluster, B);
        assertEquals(20, tracker.entries(cluster));
        for (int i = 0; i < 30; i++) {
            assertEquals(i % 3 == 1 ? NodeAddress.NONE : Nodes.MACS[i % 3], related(41000 + i, ACK), "port " + (41000 + i));
        }
    }

    @Test
    void clustersAreIsolated() {
        FakeCluster other = new FakeCluster("nlb1", 5);
        tracker.clusterCreated(other);
        assigned(40000, SYN, A);
        tracker.assigned(other, tcp4(CLIENT, 40000, SYN), B);
        assertEquals(A, related(40000, ACK));
        assertEquals(B, tracker.related(other, tcp4(CLIENT, 40000, ACK)));
        tracker.clusterDeleted(other);
        assertEquals(0, tracker.entries(other));
        assertEquals(NodeAddress.NONE, tracker.related(other, tcp4(CLIENT, 40000, ACK)));
        assertEquals(1, tracker.entries(cluster));
    }

    @Test
    void unknownClustersAndInvalidDatagramsAreIgnored() {
        FakeCluster unknown = new FakeCluster("nlb9", 0);
        tracker.assigned(unknown, tcp4(CLIENT, 40000, SYN), A);
        tracker.nodeDied(unknown, A);
        tracker.clusterDeleted(unknown);
        assertEquals(NodeAddress.NONE, tracker.related(unknown, tcp4(CLIENT, 40000, SYN)));
        assertEquals(0, tracker.entries(unknown));
        assertEquals(0, tracker.fragments(unknown));
        assertEquals(0, tracker.evictions(unknown));
        Datagram garbage = Packets.garbage();
        tracker.assigned(cluster, garbage, A);
        assertEquals(NodeAddress.NONE, tracker.related(cluster, garbage));
        assertEquals(0, tracker.entries(cluster));
    }

    @Test
    void assigningToNoNodeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> assigned(40000, SYN, NodeAddress.NONE));
        assertEquals(0, tracker.entries(cluster));
    }

    @Test
    void createdTwiceKeepsTheTableAndDeletedStartsEmpty() {
        assigned(40000, SYN, A);
        tracker.clusterCreated(cluster);
        assertEquals(A, related(40000, SYN));
        tracker.clusterDeleted(cluster);
        tracker.clusterCreated(cluster);
        assertEquals(NodeAddress.NONE, related(40000, SYN));
    }

    // ------------------------------------------------------------------ bound

    @Test
    void aSynFloodStaysWithinTheBoundAndEvictionsAreCounted() {
        TcpTracker small = new TcpTracker(TIMEOUTS, 3, 100);
        small.clusterCreated(cluster);
        for (int i = 1; i <= 50; i++) {
            cluster.now++;
            small.assigned(cluster, tcp4(CLIENT, 1000 + i, SYN), A);
            assertTrue(small.entries(cluster) <= 3);
        }
        assertEquals(3, small.entries(cluster));
        assertEquals(47, small.evictions(cluster));
        for (int i = 48; i <= 50; i++) {
            assertEquals(A, small.related(cluster, tcp4(CLIENT, 1000 + i, SYN)), "the newest SYNs remain");
        }
    }

    @Test
    void atTheBoundTheEntryNearestToExpiryGoesFirst() {
        TcpTracker small = new TcpTracker(TIMEOUTS, 2, 100);
        small.clusterCreated(cluster);
        small.assigned(cluster, tcp4(CLIENT, 1, SYN), A);
        small.related(cluster, tcp4(CLIENT, 1, ACK)); // established: IDLE left
        small.assigned(cluster, tcp4(CLIENT, 2, SYN), B); // SYN: SYN_LIFE left, although newer
        cluster.now++;
        small.assigned(cluster, tcp4(CLIENT, 3, SYN), C);
        assertEquals(1, small.evictions(cluster));
        assertEquals(A, small.related(cluster, tcp4(CLIENT, 1, ACK)));
        assertEquals(NodeAddress.NONE, small.related(cluster, tcp4(CLIENT, 2, ACK)));
    }

    @Test
    void finishedConnectionsMakeRoomWithoutAnEviction() {
        TcpTracker small = new TcpTracker(TIMEOUTS, 2, 100);
        small.clusterCreated(cluster);
        small.assigned(cluster, tcp4(CLIENT, 1, SYN), A);
        small.related(cluster, tcp4(CLIENT, 1, ACK));
        small.assigned(cluster, tcp4(CLIENT, 2, SYN), B);
        small.related(cluster, tcp4(CLIENT, 2, ACK));
        small.related(cluster, tcp4(CLIENT, 2, RST));
        cluster.now += RST_LIFE;
        small.assigned(cluster, tcp4(CLIENT, 3, SYN), C);
        assertEquals(0, small.evictions(cluster));
        assertEquals(A, small.related(cluster, tcp4(CLIENT, 1, ACK)));
        assertEquals(C, small.related(cluster, tcp4(CLIENT, 3, ACK)));
    }

    // ------------------------------------------------------------------ helpers

    static void assertMessageContains(String text, Executable executable) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, executable);
        assertTrue(e.getMessage().contains(text), "message should name " + text + ": " + e.getMessage());
    }

    static TcpTracker.Config config(long idle, long syn, long fin, long rst, long fragment, int maxEntries,
            int maxFragments) {
        return new TcpTracker.Config() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return TcpTracker.Config.class;
            }

            @Override
            public long idle_timeout_seconds() {
                return idle;
            }

            @Override
            public long syn_timeout_seconds() {
                return syn;
            }

            @Override
            public long fin_timeout_seconds() {
                return fin;
            }

            @Override
            public long rst_timeout_seconds() {
                return rst;
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
