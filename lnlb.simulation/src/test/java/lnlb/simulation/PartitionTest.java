package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.NodeState;
import org.junit.jupiter.api.Test;

/**
 * A partition that cuts node c off from a and b but not from the client (the lab's scenario 4 in
 * {@code lab/faults.sh}). Without the majority rule c forms a view of its own after the tolerance
 * and accepts every source it hears while a and b accept them too. With {@code quorum}, c (one of
 * three) stops accepting and waits to be welcomed back; a and b (two of three) take over its
 * sources, and no datagram is ever accepted twice.
 */
class PartitionTest {
    private static final long INTERVAL = 100;
    private static final int TOLERANCE = 5;
    private static final int FIRST_SOURCE = 0x0A10_0000;
    private static final int SOURCES = 300;

    private final SimulatedCluster sim = new SimulatedCluster(INTERVAL, TOLERANCE, 1);

    @Test
    void withTheMajorityRuleOneSideServesAndTheCutOffNodeRejoinsWhenHealed() {
        Outcome outcome = partitionUnderTraffic(sim.config("nlb0", "10.0.0.10")); // the default
        assertEquals(0, outcome.acceptedTwice, "datagrams accepted by two nodes");
        assertEquals(0, outcome.acceptedByCutOffNodeAfterTimeout, "c accepted after it lost the quorum");
        assertEquals(0, outcome.unservedAfterTakeover, "datagrams nobody accepted once a and b took over");
        assertTrue(outcome.rejoined, "c is a member of a 3-node view again after the healing");
    }

    @Test
    void withoutItThePartitionSplitsTheCluster() {
        Outcome outcome = partitionUnderTraffic(sim.config("nlb0", "10.0.0.10").withQuorum(false));
        assertTrue(outcome.acceptedTwice > 100, "the known split: accepted twice " + outcome.acceptedTwice);
        assertTrue(outcome.rejoined, "the two views merge after the healing");
    }

    @Test
    void aBlackoutOfEveryLinkEndsInOneViewAgain() {
        // every node loses the quorum at once; none may found alone, but hearing a majority of the
        // lost view again lets them form one
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        SimNode a = sim.startAndJoin(config, 0x0200_0000_0001L, 1);
        SimNode b = sim.startAndJoin(config, 0x0200_0000_0002L, 1);
        SimNode c = sim.startAndJoin(config, 0x0200_0000_0003L, 1);
        sim.hub().setFilter((from, to, frame) -> from.nodeAddress() == SimulatedCluster.CLIENT_MAC);
        sim.run(3 * INTERVAL * TOLERANCE);
        assertTrue(a.engine().state() != NodeState.MEMBER && c.engine().state() != NodeState.MEMBER,
                "cut off from each other, nobody keeps a majority");
        long seq = sim.sendUdp(config, FIRST_SOURCE, 4000);
        sim.run(10);
        assertEquals(List.of(), sim.acceptedBy(seq), "nobody accepts without a majority");
        sim.hub().setFilter((from, to, frame) -> true);
        assertTrue(sim.runUntil(() -> inThreeNodeView(a) && inThreeNodeView(b) && inThreeNodeView(c),
                20 * INTERVAL * TOLERANCE), "one view of three again");
    }

    private record Outcome(int acceptedTwice, int acceptedByCutOffNodeAfterTimeout, int unservedAfterTakeover,
            boolean rejoined) {
    }

    private Outcome partitionUnderTraffic(ClusterConfig config) {
        SimNode a = sim.startAndJoin(config, 0x0200_0000_0001L, 1);
        SimNode b = sim.startAndJoin(config, 0x0200_0000_0002L, 1);
        SimNode c = sim.startAndJoin(config, 0x0200_0000_0003L, 1);
        long cut = c.mac();
        sim.hub().setFilter((from, to, frame) -> !(from.nodeAddress() == cut && to.nodeAddress() != SimulatedCluster.CLIENT_MAC
                && to.nodeAddress() != cut || to.nodeAddress() == cut && from.nodeAddress() != SimulatedCluster.CLIENT_MAC));
        long deadAfter = INTERVAL * TOLERANCE;
        // While cut off: one datagram per source every 10 ms for three death timeouts.
        Map<Long, Long> sentAt = new HashMap<>();
        List<Long> sent = new ArrayList<>();
        long start = sim.time().nowMillis();
        while (sim.time().nowMillis() - start < 3 * deadAfter) {
            for (int s = 0; s < SOURCES; s += 10) {
                long seq = sim.sendUdp(config, FIRST_SOURCE + s + (int) (sim.time().nowMillis() / 10 % 10), 4000);
                sent.add(seq);
                sentAt.put(seq, sim.time().nowMillis() - start);
            }
            sim.run(10);
        }
        sim.run(20);
        int twice = 0;
        int byCutOff = 0;
        int unserved = 0;
        for (long seq : sent) {
            List<Long> by = sim.acceptedBy(seq);
            long at = sentAt.get(seq);
            twice += by.size() > 1 ? 1 : 0;
            if (at > deadAfter + 2 * INTERVAL) { // every node has made up its mind by now
                byCutOff += by.contains(cut) ? 1 : 0;
                unserved += by.isEmpty() && config.quorum() ? 1 : 0;
            }
        }
        sim.hub().setFilter((from, to, frame) -> true);
        boolean rejoined = sim.runUntil(() -> inThreeNodeView(a) && inThreeNodeView(b) && inThreeNodeView(c),
                20 * deadAfter);
        return new Outcome(twice, byCutOff, unserved, rejoined);
    }

    private static boolean inThreeNodeView(SimNode node) {
        return node.engine().state() == NodeState.MEMBER && node.engine().view().size() == 3;
    }
}
