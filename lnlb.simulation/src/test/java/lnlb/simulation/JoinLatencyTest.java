package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.NodeState;
import org.junit.jupiter.api.Test;

/**
 * A node joins within a few heartbeat intervals wherever in the heartbeat cycle it starts: its
 * first JOIN waits until it has heard the coordinator, so the coordinator's answer is not refused
 * and repeated only a death timeout later (runtime-jar joins took 10 s and more that way).
 */
class JoinLatencyTest {
    private static final long INTERVAL = 500;
    private static final int TOLERANCE = 6;

    @Test
    void aNodeStartingAnywhereInTheHeartbeatCycleIsAMemberWithinThreeIntervals() {
        for (long offset = 0; offset < INTERVAL; offset += 50) {
            SimulatedCluster sim = new SimulatedCluster(INTERVAL, TOLERANCE, 1);
            ClusterConfig config = sim.config("nlb0", "10.0.0.10");
            sim.startAndJoin(config, 0x0200_0000_0001L, 1);
            sim.startAndJoin(config, 0x0200_0000_0002L, 1);
            sim.run(10 * INTERVAL + offset);
            long started = sim.time().nowMillis();
            SimNode joiner = sim.start(config, 0x0200_0000_0003L, 1);
            assertTrue(sim.runUntil(() -> joiner.engine().state() == NodeState.MEMBER && sim.converged(config),
                    INTERVAL * TOLERANCE * 3), "never joined");
            long took = sim.time().nowMillis() - started;
            assertTrue(took <= 3 * INTERVAL, "started " + offset + " ms into the cycle, a member after " + took + " ms");
        }
    }
}
