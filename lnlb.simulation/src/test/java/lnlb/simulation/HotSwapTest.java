package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import lnlb.core.api.run.ClusterConfig;
import lnlb.module.dflt.internal.DefaultTracker;
import org.junit.jupiter.api.Test;

/**
 * Replacing the module of a protocol under traffic, on each node at its own moment: the state moves
 * with saveState/loadState, datagrams that arrive while no module serves wait for the next one, and
 * no datagram is accepted twice or lost.
 */
class HotSwapTest {
    private final SimulatedCluster sim = new SimulatedCluster(100, 3, 1);
    private final ClusterConfig config = sim.config("nlb0", "10.0.0.10");

    @Test
    void swappingAndRestartingTheUdpTrackerMovesNoSessionAndLosesNothing() {
        List<SimNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(sim.startAndJoin(config, 0x0200_0000_0000L + i, 1));
        }
        for (SimNode node : nodes) {
            node.engine().serve(17, new DefaultTracker(1_800_000, 1 << 16));
        }
        Random random = new Random(3);
        Map<Integer, Long> owners = new HashMap<>();
        List<long[]> sent = new ArrayList<>(); // {sequence, source}
        for (int ms = 0; ms < 3000; ms++) {
            int source = 0x0A0D_0000 + random.nextInt(400);
            sent.add(new long[] {sim.sendUdp(config, source, 4000 + random.nextInt(100)), source});
            if (ms % 300 == 0) {
                // new weights, new views: a tracker that lost its state would now decide differently
                for (SimNode n : nodes) {
                    n.setWeight(1 + random.nextInt(9));
                }
            }
            int node = ms % 1000 / 100; // each node takes its turn, at different moments
            if (node < 3 && ms % 100 == 20) {
                if (ms < 1000) {
                    // a higher-ranked replacement: the state moves in one step
                    nodes.get(node).engine().serve(17, new DefaultTracker(1_800_000, 1 << 16));
                } else {
                    // bundle stop ... start (or update): a gap of 37 ms with nobody serving
                    nodes.get(node).engine().serve(17, null);
                }
            }
            if (node < 3 && ms % 100 == 57 && ms >= 1000) {
                nodes.get(node).engine().serve(17, new DefaultTracker(1_800_000, 1 << 16));
            }
            sim.run(1);
        }
        sim.run(50);
        long held = 0;
        for (SimNode node : nodes) {
            held += node.engine().counters().swapHeld();
            assertEquals(0, node.engine().counters().swapDropped());
            // per node: one replacement (a move) and two gaps (a save when leaving, a load on return)
            assertTrue(node.engine().counters().swapMoves() >= 5, "state moves: " + node.engine().counters().swapMoves());
            assertEquals(37, node.engine().counters().swapHoldMillis(), "the last gap, in virtual time");
        }
        assertTrue(held > 50, "datagrams held during the gaps: " + held);
        for (long[] datagram : sent) {
            List<Long> by = sim.acceptedBy(datagram[0]);
            assertEquals(1, by.size(), "datagram " + datagram[0] + " accepted by " + by);
            Long before = owners.putIfAbsent((int) datagram[1], by.get(0));
            if (before != null) {
                assertEquals(before, by.get(0), "source " + datagram[1] + " changed owner");
            }
        }
    }

    @Test
    void aWeightOnlyViewWaitsForTheMissingModuleSoHeldDatagramsAreDecidedAsEverywhere() {
        List<SimNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(sim.startAndJoin(config, 0x0200_0000_0000L + i, 1));
        }
        for (SimNode node : nodes) {
            node.engine().serve(17, new DefaultTracker(1_800_000, 1 << 16));
        }
        sim.run(300);
        long epoch = nodes.get(0).engine().view().epoch();
        // Node 1 loses its UDP tracker for 600 ms, and meanwhile the weights change a lot: the
        // others decide new flows now, node 1 when its tracker is back; both must use one view.
        nodes.get(0).engine().serve(17, null);
        nodes.get(0).setWeight(9);
        List<Long> sent = new ArrayList<>();
        for (int ms = 0; ms < 600; ms++) {
            sent.add(sim.sendUdp(config, 0x0A0E_0000 + ms, 5000));
            sim.run(1);
        }
        for (SimNode node : nodes) {
            assertEquals(epoch, node.engine().view().epoch(), "a weight-only view committed during the hold");
        }
        nodes.get(0).engine().serve(17, new DefaultTracker(1_800_000, 1 << 16));
        sim.run(500);
        assertTrue(nodes.get(0).engine().view().epoch() > epoch, "the new weights never made a view");
        assertEquals(0, nodes.get(0).engine().counters().swapDropped());
        assertTrue(nodes.get(0).engine().counters().swapHeld() >= 600);
        for (long seq : sent) {
            assertEquals(1, sim.acceptedBy(seq).size(), "datagram " + seq + " accepted by " + sim.acceptedBy(seq));
        }
    }
}
