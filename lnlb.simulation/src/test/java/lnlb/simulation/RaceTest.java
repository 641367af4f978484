package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.wire.FrameHeader;
import lnlb.core.api.wire.WireMessage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attacks the hard property: datagrams from new and known sources arrive every millisecond while
 * the table changes in every way it can (weights every round, joins, crashes, leaves, lost
 * heartbeats). No datagram may be accepted twice, and every datagram whose owner is alive must be
 * accepted once.
 */
class RaceTest {
    private static final long INTERVAL = 50;
    private static final int TOLERANCE = 3;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void noDatagramIsAcceptedTwiceWhileTheTableChanges(long seed) {
        Random random = new Random(seed);
        SimulatedCluster sim = new SimulatedCluster(INTERVAL, TOLERANCE, 1);
        // Lose a tenth of all heartbeats, at random ports.
        sim.hub().setFilter((from, to, frame) -> !(FrameHeader.isCluster(frame)
                && frame[FrameHeader.TYPE_OFFSET] == WireMessage.HEARTBEAT && random.nextInt(10) == 0));
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        List<SimNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            nodes.add(sim.startAndJoin(config, 0x0200_0000_0000L + i * 3, 1 + random.nextInt(10)));
        }
        Ledger ledger = new Ledger(sim, config);
        Set<Long> crashed = new HashSet<>();
        List<Long> sent = new ArrayList<>();
        int nextSource = 0x0B00_0000;
        long macs = 0x0200_0000_0100L;
        for (int ms = 0; ms < 6000; ms++) {
            // Every millisecond: two new sources and two known ones.
            sent.add(ledger.send(nextSource++));
            sent.add(ledger.send(nextSource++));
            sent.add(ledger.send(0x0B00_0000 + random.nextInt(nextSource - 0x0B00_0000)));
            sent.add(ledger.send(0x0B00_0000 + random.nextInt(nextSource - 0x0B00_0000)));
            if (ms % 40 == 7) {
                for (SimNode node : nodes) {
                    if (node.running()) {
                        node.setWeight(1 + random.nextInt(20));
                    }
                }
            }
            switch (ms) {
                case 800, 2600, 4400 -> nodes.add(sim.start(config, macs++ * 5, 1 + random.nextInt(10)));
                case 1500, 3700 -> {
                    SimNode victim = running(nodes).get(random.nextInt(running(nodes).size()));
                    crashed.add(victim.mac());
                    victim.crash();
                }
                case 3100 -> running(nodes).get(0).leave(); // the coordinator itself leaves
                default -> { }
            }
            sim.run(1);
        }
        sim.run(INTERVAL * TOLERANCE * 3);
        assertTrue(sim.converged(config), "the cluster did not settle");

        int twice = 0;
        int none = 0;
        for (long seq : sent) {
            int accepted = sim.acceptedBy(seq).size();
            if (accepted > 1) {
                twice++;
            } else if (accepted == 0) {
                none++;
            }
        }
        assertEquals(0, twice, "datagrams accepted by two nodes");
        // Datagrams owned by a node that crashed or left before its death was committed are lost;
        // nothing else may be.
        assertTrue(none < sent.size() / 20, none + " of " + sent.size() + " datagrams were accepted by nobody");
    }

    private static List<SimNode> running(List<SimNode> nodes) {
        return nodes.stream().filter(SimNode::running).toList();
    }
}
