package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import lnlb.core.api.run.ClusterConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DistributionTest {
    private static final int SOURCES = 10_000;

    @ParameterizedTest(name = "{0} nodes, equal weights")
    @ValueSource(ints = {3, 8, 16})
    void tenThousandSourcesSpreadEvenly(int nodes) {
        SimulatedCluster sim = new SimulatedCluster(100, 3, 1);
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        for (int i = 1; i <= nodes; i++) {
            sim.startAndJoin(config, 0x0200_0000_0000L + i * 7919L, 1);
        }
        Map<Long, Integer> perNode = Ledger.perNode(new Ledger(sim, config).round(0x0A10_0000, SOURCES));
        assertEquals(nodes, perNode.size());
        perNode.forEach((node, count) -> Ledger.assertShare(count, SOURCES, 1.0 / nodes, 0.10, "node " + node));
    }

    @ParameterizedTest(name = "weights 1, 2, 4 x {0}")
    @ValueSource(ints = {1, 3})
    void sharesFollowTheInverseOfTheWeights(int groups) {
        SimulatedCluster sim = new SimulatedCluster(100, 3, 1);
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        int[] weights = {1, 2, 4};
        double inverseSum = groups * (1 + 0.5 + 0.25);
        Map<Long, Double> expected = new java.util.HashMap<>();
        for (int g = 0; g < groups; g++) {
            for (int w : weights) {
                long mac = 0x0200_0000_0100L + g * 16 + w;
                sim.startAndJoin(config, mac, w);
                expected.put(mac, (1.0 / w) / inverseSum);
            }
        }
        Map<Long, Integer> perNode = Ledger.perNode(new Ledger(sim, config).round(0x0A20_0000, SOURCES));
        expected.forEach((node, share) -> Ledger.assertShare(perNode.getOrDefault(node, 0), SOURCES, share, 0.10,
                "node " + Long.toHexString(node)));
    }
}
