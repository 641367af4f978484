package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.NodeState;
import org.junit.jupiter.api.Test;

/**
 * A node that restarts faster than it can be declared dead comes back JOINING under its old MAC:
 * the others must drop it from the view (its state is gone) and then welcome it again — also when
 * it was the coordinator, and also when it restarts in the middle of its own join.
 */
class RestartTest {
    private static final long INTERVAL = 100;
    private static final int TOLERANCE = 10;

    private final SimulatedCluster sim = new SimulatedCluster(INTERVAL, TOLERANCE, 1);
    private final ClusterConfig config = sim.config("nlb0", "10.0.0.10");

    @Test
    void theCoordinatorRestartsQuicklyAndRejoins() {
        SimNode coordinator = sim.startAndJoin(config, 0x0200_0000_0001L, 1);
        sim.startAndJoin(config, 0x0200_0000_0002L, 1);
        sim.startAndJoin(config, 0x0200_0000_0003L, 1);
        Ledger ledger = new Ledger(sim, config);
        Map<Integer, Long> before = ledger.round(0x0A0F_0000, 1000);
        coordinator.crash();
        sim.run(INTERVAL * 2); // far less than interval x tolerance
        SimNode again = sim.start(config, 0x0200_0000_0001L, 1);
        assertTrue(sim.runUntil(() -> again.engine().state() == NodeState.MEMBER && sim.converged(config),
                INTERVAL * TOLERANCE * 3), "the restarted coordinator is " + again.engine().state());
        assertEquals(3, again.engine().view().size());
        // Sources of the other two nodes never moved; every datagram has exactly one owner.
        Map<Integer, Long> after = ledger.round(0x0A0F_0000, 1000);
        before.forEach((source, owner) -> {
            if (owner != coordinator.mac()) {
                assertEquals(owner, after.get(source));
            }
        });
    }

    @Test
    void aNodeThatRestartsDuringItsOwnJoinGetsIn() {
        sim.startAndJoin(config, 0x0200_0000_0001L, 1);
        sim.startAndJoin(config, 0x0200_0000_0002L, 1);
        SimNode joiner = sim.start(config, 0x0200_0000_0003L, 1);
        assertTrue(sim.runUntil(() -> joiner.engine().state() == NodeState.OBSERVER, 5000));
        joiner.crash(); // the coordinator is about to propose a view with it
        SimNode again = sim.start(config, 0x0200_0000_0003L, 1);
        assertTrue(sim.runUntil(() -> again.engine().state() == NodeState.MEMBER && sim.converged(config),
                INTERVAL * TOLERANCE * 3), "the restarted joiner is " + again.engine().state());
        assertEquals(3, again.engine().view().size());
    }
}
