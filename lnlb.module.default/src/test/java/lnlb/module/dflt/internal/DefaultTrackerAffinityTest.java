package lnlb.module.dflt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import lnlb.core.api.Affinity;
import lnlb.core.api.NodeAddress;
import lnlb.core.testing.FakeCluster;
import lnlb.core.testing.Nodes;
import org.junit.jupiter.api.Test;

/** The default tracker under the affinities the core classifies with, and a draining owner (issue 13). */
class DefaultTrackerAffinityTest {
    static final long A = Nodes.A;

    private final FakeCluster cluster = new FakeCluster("nlb0", 1_000_000);
    private final DefaultTracker tracker = new DefaultTracker(600_000, 1_000);

    DefaultTrackerAffinityTest() {
        tracker.clusterCreated(cluster);
    }

    @Test
    void networkAffinityKeepsASlash24Together() {
        tracker.assigned(cluster, Packets.ipv4(10, 1, 2, 3).classify(Affinity.NETWORK), A);
        assertEquals(A, tracker.related(cluster, Packets.ipv4(10, 1, 2, 99).classify(Affinity.NETWORK)));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, Packets.ipv4(10, 1, 3, 1).classify(Affinity.NETWORK)));
        assertEquals(NodeAddress.NONE, tracker.related(cluster, Packets.ipv4(10, 1, 2, 99).classify(Affinity.SOURCE)),
                "the network's entry is not a source's");
        assertEquals(0x0A01_0200L, tracker.assignmentKey(cluster, Packets.ipv4(10, 1, 2, 99).classify(Affinity.NETWORK)));
        assertEquals(0x0A01_0263L, tracker.assignmentKey(cluster, Packets.ipv4(10, 1, 2, 99).classify(Affinity.CONNECTION)),
                "no ports to tell connections apart: the source");
    }

    @Test
    void aClientOfADrainingNodeIsANewSession() {
        tracker.assigned(cluster, Packets.ipv4(10, 1, 2, 3).classify(Affinity.SOURCE), A);
        long[] drainingA = {A};
        assertEquals(NodeAddress.NONE, tracker.related(cluster, Packets.ipv4(10, 1, 2, 3).classify(Affinity.SOURCE, drainingA)));
        assertEquals(NodeAddress.NONE, tracker.lookup(cluster, Packets.ipv4(10, 1, 2, 3).classify(Affinity.SOURCE, drainingA)));
        assertEquals(A, tracker.related(cluster, Packets.ipv4(10, 1, 2, 3).classify(Affinity.SOURCE)), "kept for the view without the drain");
        tracker.assigned(cluster, Packets.ipv4(10, 1, 2, 3).classify(Affinity.SOURCE, drainingA), Nodes.B);
        assertEquals(Nodes.B, tracker.related(cluster, Packets.ipv4(10, 1, 2, 3).classify(Affinity.SOURCE, drainingA)));
    }
}
