package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.NodeState;
import org.junit.jupiter.api.Test;

/** Weights, deaths, joins and leaves on the hub: who owns what afterwards. */
class MembershipTest {
    private static final long INTERVAL = 100;
    private static final int TOLERANCE = 3;

    private final SimulatedCluster sim = new SimulatedCluster(INTERVAL, TOLERANCE, 1);
    private final ClusterConfig config = sim.config("nlb0", "10.0.0.10");
    private final Ledger ledger = new Ledger(sim, config);

    private void start(int nodes) {
        for (int i = 1; i <= nodes; i++) {
            sim.startAndJoin(config, 0x0200_0000_0000L + i, 1);
        }
    }

    @Test
    void sourcesKeepTheirNodeAcrossFiftyRoundsOfChangingWeights() {
        start(4);
        Map<Integer, Long> before = ledger.round(0x0A30_0000, 2000);
        Random random = new Random(42);
        long epochBefore = sim.nodes().get(0).engine().view().epoch();
        for (int round = 0; round < 60; round++) {
            for (SimNode node : sim.nodes()) {
                node.setWeight(1 + random.nextInt(50));
            }
            sim.run(INTERVAL);
            assertEquals(before, ledger.round(0x0A30_0000, 2000), "round " + round);
        }
        long views = sim.nodes().get(0).engine().view().epoch() - epochBefore;
        assertTrue(views >= 50, "weights changed the view only " + views + " times");
        // New sources follow the new weights: the node with the lowest load gets the most.
        sim.nodes().get(0).setWeight(1);
        for (int i = 1; i < sim.nodes().size(); i++) {
            sim.nodes().get(i).setWeight(20);
        }
        sim.run(3 * INTERVAL);
        Map<Long, Integer> fresh = Ledger.perNode(ledger.round(0x0A40_0000, 3000));
        assertTrue(fresh.get(sim.nodes().get(0).mac()) > 2000, fresh.toString());
    }

    @Test
    void aCrashedNodeIsDeclaredDeadInTimeAndOnlyItsSourcesMove() {
        start(5);
        Map<Integer, Long> before = ledger.round(0x0A50_0000, 3000);
        SimNode victim = sim.nodes().get(2);
        long crashedAt = sim.time().nowMillis();
        victim.crash();
        SimNode survivor = sim.nodes().get(0);
        assertTrue(sim.runUntil(() -> !survivor.engine().view().contains(victim.mac()), INTERVAL * TOLERANCE * 2));
        long detection = sim.time().nowMillis() - crashedAt;
        assertTrue(detection <= INTERVAL * TOLERANCE, "declared dead after " + detection + " ms");
        sim.run(5);
        assertTrue(sim.converged(config));

        Map<Integer, Long> after = ledger.round(0x0A50_0000, 3000);
        int moved = 0;
        for (Map.Entry<Integer, Long> entry : before.entrySet()) {
            long was = entry.getValue();
            long now = after.get(entry.getKey());
            if (was == victim.mac()) {
                assertNotEquals(victim.mac(), now);
                moved++;
            } else {
                assertEquals(was, now, "source " + entry.getKey() + " moved although its node lives");
            }
        }
        assertTrue(moved > 300, "the dead node owned only " + moved + " sources");
    }

    @Test
    void aNodeJoiningUnderTrafficGetsTheStateAndMovesNothing() {
        start(3);
        Map<Integer, Long> before = ledger.round(0x0A60_0000, 3000);
        SimNode joiner = sim.start(config, 0x0200_0000_0040L, 1);
        // Traffic keeps flowing while it joins: the same sources, every few milliseconds.
        int rounds = 0;
        while (!(joiner.engine().state() == NodeState.MEMBER && sim.converged(config)) && rounds < 200) {
            assertEquals(before, ledger.round(0x0A60_0000, 3000));
            rounds++;
        }
        assertEquals(NodeState.MEMBER, joiner.engine().state());
        assertEquals(before, ledger.round(0x0A60_0000, 3000));
        assertEquals(sim.nodes().get(0).tracker().entries(sim.nodes().get(0).engine().cluster()),
                joiner.tracker().entries(joiner.engine().cluster()));
        Map<Long, Integer> fresh = Ledger.perNode(ledger.round(0x0A70_0000, 4000));
        Ledger.assertShare(fresh.getOrDefault(joiner.mac(), 0), 4000, 0.25, 0.10, "joiner");
    }

    @Test
    void leaveRemovesTheNodeAtOnce() {
        start(3);
        Map<Integer, Long> before = ledger.round(0x0A80_0000, 1000);
        SimNode leaver = sim.nodes().get(1);
        leaver.leave();
        long leftAt = sim.time().nowMillis();
        SimNode other = sim.nodes().get(0);
        assertTrue(sim.runUntil(() -> !other.engine().view().contains(leaver.mac()), INTERVAL));
        assertTrue(sim.time().nowMillis() - leftAt <= 20, "LEAVE took " + (sim.time().nowMillis() - leftAt) + " ms");
        sim.run(5);
        Map<Integer, Long> after = ledger.round(0x0A80_0000, 1000);
        before.forEach((source, owner) -> {
            if (owner != leaver.mac()) {
                assertEquals(owner, after.get(source));
            }
        });
        assertFalse(after.containsValue(leaver.mac()));
    }

    @Test
    void twoClustersOnOneHubDoNotInterfere() {
        ClusterConfig second = sim.config("nlb1", "10.0.0.20");
        Ledger secondLedger = new Ledger(sim, second);
        for (int i = 1; i <= 3; i++) {
            sim.startAndJoin(config, 0x0200_0000_0000L + i, 1);
            sim.startAndJoin(second, 0x0200_0000_0000L + i, 1);
        }
        assertTrue(sim.converged(config) && sim.converged(second));
        assertEquals(3, sim.nodes().get(0).engine().view().size());
        assertEquals(3, sim.nodes().get(1).engine().view().size());
        Map<Integer, Long> a = ledger.round(0x0A90_0000, 2000);
        Map<Integer, Long> b = secondLedger.round(0x0A90_0000, 2000);
        assertEquals(3, Ledger.perNode(a).size());
        assertEquals(3, Ledger.perNode(b).size());
        // Killing a node of the second cluster leaves the first one's view alone.
        long epoch = sim.nodes().get(0).engine().view().epoch();
        sim.nodes().get(5).crash();
        sim.run(INTERVAL * TOLERANCE * 2);
        assertEquals(epoch, sim.nodes().get(0).engine().view().epoch());
        assertEquals(2, sim.nodes().get(1).engine().view().size());
        assertEquals(a, ledger.round(0x0A90_0000, 2000));
    }
}
