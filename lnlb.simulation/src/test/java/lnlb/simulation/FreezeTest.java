package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.NodeState;
import org.junit.jupiter.api.Test;

/**
 * A node stopped (SIGSTOP) for longer than interval x tolerance is dropped by the others, and its
 * sources move. When it resumes, its loop is back inside its poll: the frames that queued up while it
 * was stopped are handled before any timer runs. It must not accept one of them with its stale view
 * (the lab saw it: {@code lab/faults.sh}, scenario 2); it rejoins first.
 */
class FreezeTest {
    private static final long INTERVAL = 100;
    private static final int TOLERANCE = 10;
    private static final int FIRST_SOURCE = 0x0A0F_0000;

    private final SimulatedCluster sim = new SimulatedCluster(INTERVAL, TOLERANCE, 1);
    private final ClusterConfig config = sim.config("nlb0", "10.0.0.10");

    @Test
    void aResumedNodeAcceptsNothingOfTheSourcesThatMovedAway() {
        SimNode a = sim.startAndJoin(config, 0x0200_0000_0001L, 1);
        SimNode b = sim.startAndJoin(config, 0x0200_0000_0002L, 1);
        SimNode c = sim.startAndJoin(config, 0x0200_0000_0003L, 1);
        Ledger ledger = new Ledger(sim, config);
        Map<Integer, Long> before = ledger.round(FIRST_SOURCE, 200);
        List<Integer> ofB = before.entrySet().stream().filter(e -> e.getValue() == b.mac()).map(Map.Entry::getKey).toList();
        assertTrue(ofB.size() > 10, "b serves " + ofB.size() + " sources");

        b.freeze();
        // sent while b is stopped but not yet declared dead: nobody accepts them now (the client
        // will send again), and they queue up in b's link ahead of the others' new view
        long[] early = ofB.stream().mapToLong(ledger::send).toArray();
        sim.run(10);
        assertTrue(sim.runUntil(() -> a.engine().view().size() == 2 && c.engine().view().size() == 2,
                INTERVAL * TOLERANCE * 3), "the others still hold " + a.engine().view());
        // b's sources go on: the others take them
        Map<Integer, Long> moved = ledger.round(FIRST_SOURCE, 200);

        b.thaw();
        sim.run(10);
        for (long seq : early) {
            assertFalse(sim.acceptedBy(seq).contains(b.mac()),
                    "the resumed node accepted a datagram of source " + ledger.source(seq) + " with its stale view,"
                            + " after the source had moved to " + NodeAddress.format(moved.get(ledger.source(seq))));
        }
        assertTrue(sim.runUntil(() -> b.engine().state() == NodeState.MEMBER && sim.converged(config),
                INTERVAL * TOLERANCE * 5), "the resumed node is " + b.engine().state());
        assertEquals(3, b.engine().view().size());
        // after its rejoin the moved sources stay where they went
        Map<Integer, Long> after = ledger.round(FIRST_SOURCE, 200);
        for (int source : ofB) {
            assertEquals(moved.get(source), after.get(source), "source " + source);
        }
    }
}
