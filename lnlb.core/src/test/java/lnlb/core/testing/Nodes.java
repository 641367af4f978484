package lnlb.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Supplier;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.ProtocolModule;
import lnlb.core.internal.engine.View;

/**
 * Three nodes of one cluster, each with its own tracker and clock, fed the same datagrams the way
 * the engine's {@code decide} feeds them: {@code related}, and when that says NONE, the owner of the
 * module's assignment key in the cut table of the current view ({@link View} of lnlb.core), then
 * {@code assigned}. Every node must come to the same owner for every datagram.
 */
public final class Nodes<T extends ProtocolModule> {
    public static final long A = 0x02_00_00_00_00_0AL;
    public static final long B = 0x02_00_00_00_00_0BL;
    public static final long C = 0x02_00_00_00_00_0CL;
    public static final long[] MACS = {A, B, C};

    public final View view = new View(1, MACS, new int[] {1, 1, 1});
    public final FakeCluster[] clusters = new FakeCluster[MACS.length];
    public final java.util.List<T> trackers = new java.util.ArrayList<>();

    public Nodes(Supplier<T> factory, long now) {
        for (int i = 0; i < MACS.length; i++) {
            clusters[i] = new FakeCluster("nlb0", now, MACS[i]);
            T tracker = factory.get();
            tracker.clusterCreated(clusters[i]);
            trackers.add(tracker);
        }
    }

    /** The owner every node agrees on. */
    public long decide(Datagram d) {
        long agreed = NodeAddress.NONE;
        for (int i = 0; i < MACS.length; i++) {
            long owner = decide(trackers.get(i), clusters[i], view, d);
            if (i == 0) {
                agreed = owner;
            } else {
                assertEquals(NodeAddress.format(agreed), NodeAddress.format(owner), "node " + i + " disagrees");
            }
        }
        return agreed;
    }

    /** The engine's decision on one node. */
    public static long decide(ProtocolModule tracker, FakeCluster cluster, View view, Datagram d) {
        long owner = tracker.related(cluster, d);
        if (owner == NodeAddress.NONE) {
            owner = view.table().ownerOfKey(tracker.assignmentKey(cluster, d));
            tracker.assigned(cluster, d, owner);
        }
        return owner;
    }

    public void advance(long millis) {
        for (FakeCluster cluster : clusters) {
            cluster.now += millis;
        }
    }

    /** Every node's saved state: equal byte for byte when the tables agree (the clocks are equal). */
    public void assertSameTables() {
        byte[] first = trackers.get(0).saveState(clusters[0]);
        for (int i = 1; i < MACS.length; i++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(first, trackers.get(i).saveState(clusters[i]),
                    "node " + i + " holds another table");
        }
    }

    public T tracker(int node) {
        return trackers.get(node);
    }

    public FakeCluster cluster(int node) {
        return clusters[node];
    }
}
