package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.run.ClusterConfig;

/** Sends datagrams per source and checks who accepted them. */
final class Ledger {
    private final SimulatedCluster sim;
    private final ClusterConfig config;
    private final Map<Long, Integer> sourceOf = new HashMap<>();

    Ledger(SimulatedCluster sim, ClusterConfig config) {
        this.sim = sim;
        this.config = config;
    }

    long send(int source) {
        long seq = sim.sendUdp(config, source, 1000);
        sourceOf.put(seq, source);
        return seq;
    }

    /** One datagram from each source, then enough time to deliver; returns source -> owner. */
    Map<Integer, Long> round(int firstSource, int sources) {
        Map<Integer, Long> sent = new HashMap<>();
        for (int i = 0; i < sources; i++) {
            sent.put(firstSource + i, send(firstSource + i));
        }
        sim.run(10);
        Map<Integer, Long> owners = new HashMap<>();
        sent.forEach((source, seq) -> owners.put(source, exactlyOne(seq)));
        return owners;
    }

    long exactlyOne(long seq) {
        List<Long> by = sim.acceptedBy(seq);
        assertEquals(1, by.size(), () -> "datagram " + seq + " from source " + sourceOf.get(seq) + " accepted by "
                + by.stream().map(NodeAddress::format).toList());
        return by.get(0);
    }

    int source(long seq) {
        return sourceOf.getOrDefault(seq, -1);
    }

    static Map<Long, Integer> perNode(Map<Integer, Long> owners) {
        Map<Long, Integer> counts = new HashMap<>();
        owners.values().forEach(node -> counts.merge(node, 1, Integer::sum));
        return counts;
    }

    static void assertShare(int count, int total, double expectedShare, double tolerance, String what) {
        double share = count / (double) total;
        assertTrue(Math.abs(share - expectedShare) <= expectedShare * tolerance,
                what + ": share " + share + " expected " + expectedShare + " +/- " + (tolerance * 100) + "%");
    }
}
