package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lnlb.core.api.run.ClusterConfig;
import org.junit.jupiter.api.Test;

/**
 * A flood from one million spoofed sources: the trackers stay within their bound, the flood is
 * shed by evicting the oldest idle entries, and the established clients keep their node.
 */
class FloodTest {
    private static final int FLOOD = 1_000_000;
    private static final int ESTABLISHED = 300;

    @Test
    void oneMillionSpoofedSourcesLeaveEstablishedClientsAlone() {
        SimulatedCluster sim = new SimulatedCluster(100, 3, 1);
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        for (int i = 1; i <= 3; i++) {
            sim.startAndJoin(config, 0x0200_0000_0000L + i, 1);
        }
        Ledger ledger = new Ledger(sim, config);
        Map<Integer, Long> owners = ledger.round(0x0A0E_0000, ESTABLISHED);
        Map<Long, Integer> established = new HashMap<>();
        int spoofed = 0x2000_0000;
        for (int burst = 0; burst < FLOOD / 10_000; burst++) {
            for (int i = 0; i < 10_000; i++) {
                sim.sendUdp(config, spoofed++, 7);
            }
            for (int i = 0; i < ESTABLISHED; i += 3) { // a third of the clients speak each burst
                int source = 0x0A0E_0000 + (i + burst) % ESTABLISHED;
                established.put(ledger.send(source), source);
            }
            sim.run(2);
        }
        sim.run(10);
        established.forEach((seq, source) -> assertEquals(owners.get(source), (Long) ledger.exactlyOne(seq),
                "client " + source + " moved during the flood"));
        for (SimNode node : sim.nodes()) {
            int entries = node.tracker().entries(node.engine().cluster());
            assertTrue(entries <= SimulatedCluster.TRACKER_MAX_ENTRIES, "table holds " + entries);
            assertTrue(node.tracker().evictions(node.engine().cluster()) >= FLOOD - SimulatedCluster.TRACKER_MAX_ENTRIES,
                    "evictions " + node.tracker().evictions(node.engine().cluster()));
        }
        assertEquals(List.of(), sim.nodes().stream().filter(n -> !n.running()).toList());
    }
}
