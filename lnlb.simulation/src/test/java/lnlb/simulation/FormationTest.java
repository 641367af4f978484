package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lnlb.core.api.run.ClusterConfig;
import org.junit.jupiter.api.Test;

class FormationTest {
    @Test
    void threeNodesFormOneViewAndEachDatagramHasOneOwner() {
        SimulatedCluster sim = new SimulatedCluster(100, 3, 1);
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        sim.startAndJoin(config, 0x0200_0000_0001L, 1);
        sim.startAndJoin(config, 0x0200_0000_0002L, 1);
        sim.startAndJoin(config, 0x0200_0000_0003L, 1);
        assertTrue(sim.converged(config));
        assertEquals(3, sim.nodes().get(0).engine().view().size());

        Map<Long, Integer> perNode = new HashMap<>();
        long first = sim.lastSequence() + 1;
        for (int source = 0; source < 3000; source++) {
            sim.sendUdp(config, 0x0A01_0000 + source, 1000);
        }
        sim.run(50);
        for (long seq = first; seq <= sim.lastSequence(); seq++) {
            List<Long> owners = sim.acceptedBy(seq);
            assertEquals(1, owners.size(), "datagram " + seq + " accepted by " + owners);
            perNode.merge(owners.get(0), 1, Integer::sum);
        }
        assertEquals(3, perNode.size(), perNode.toString());
    }
}
