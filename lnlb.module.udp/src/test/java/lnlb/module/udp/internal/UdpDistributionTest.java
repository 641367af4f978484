package lnlb.module.udp.internal;

import lnlb.core.testing.Packets;
import lnlb.core.testing.Nodes;

import static lnlb.core.testing.Packets.udp4;
import static lnlb.core.testing.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** 3,000 flows from ONE client address over a 3-node cluster: each node within ±15 % of its share. */
class UdpDistributionTest {
    private static final int FLOWS = 3_000;
    private static final int CLIENT = v4(203, 0, 113, 50);

    @Test
    void flowsFromOneClientSpreadOverThreeNodes() {
        Nodes<UdpTracker> nodes = new Nodes<>(() -> new UdpTracker(60_000, 30_000, 10_000, 100), 0);
        Map<Long, Integer> perNode = new HashMap<>();
        long[] owners = new long[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            owners[i] = nodes.decide(udp4(CLIENT, 32768 + i));
            perNode.merge(owners[i], 1, Integer::sum);
        }
        assertEquals(3, perNode.size(), "every node gets flows: " + perNode);
        for (int count : perNode.values()) {
            assertTrue(Math.abs(count - FLOWS / 3.0) <= 0.15 * FLOWS / 3.0, "per node: " + perNode);
        }
        for (int i = 0; i < FLOWS; i++) {
            assertEquals(owners[i], nodes.decide(udp4(CLIENT, 32768 + i)), "flow " + i + " keeps its owner");
        }
        nodes.assertSameTables();
    }
}
