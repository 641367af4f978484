package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.NodeState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every node stops at once (a flood that stalls every loop, a host-wide pause, SIGSTOP of every
 * node) for longer than the death timeout. Each resumes, finds it did not run, and rejoins: every
 * node is joining, nobody answers. Founding a cluster alone then would leave one one-node cluster
 * per node, each accepting everything (the split brain an independent tester saw). The rule: a
 * node that was a member of a view with others founds only when it is the lowest node it hears and
 * it hears a majority of that view (two-member views: the other member, or a bounded deadline).
 */
class CollectiveStallTest {
    private static final long INTERVAL = 100;
    private static final int TOLERANCE = 5;
    private static final long DEAD_AFTER = INTERVAL * TOLERANCE;
    private static final int FIRST_SOURCE = 0x0A20_0000;
    private static final int SOURCES = 64;

    private final SimulatedCluster sim = new SimulatedCluster(INTERVAL, TOLERANCE, 1);

    @Test
    void fourNodesStalledTogetherEndInOneViewAndNeverAcceptTwice() {
        stallEveryNodeAndCheck(sim.config("nlb0", "10.0.0.10"), 4);
    }

    @Test
    void theSameWithTheMajorityRuleSwitchedOff() {
        stallEveryNodeAndCheck(sim.config("nlb0", "10.0.0.10").withQuorum(false), 4);
    }

    @Test
    void twoNodesStalledTogetherEndInOneViewAndNeverAcceptTwice() {
        stallEveryNodeAndCheck(sim.config("nlb0", "10.0.0.10"), 2);
    }

    @Test
    void repeatedStallsOfEveryNodeEachEndInOneView() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        List<SimNode> nodes = startNodes(config, 3);
        for (int round = 0; round < 5; round++) {
            int acceptedTwice = stallUnderTraffic(config, nodes, 3 * DEAD_AFTER);
            assertEquals(0, acceptedTwice, "round " + round + ": datagrams accepted by two nodes");
        }
    }

    /** Either node of a pair, the lower MAC or the higher: no majority rule for a view of two. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void twoNodesTheSurvivorOfAKillKeepsServing(int killed) {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        List<SimNode> nodes = startNodes(config, 2);
        SimNode survivor = nodes.get(1 - killed);
        nodes.get(killed).crash();
        assertTrue(sim.runUntil(() -> survivor.engine().view().size() == 1, 3 * DEAD_AFTER),
                "the survivor still holds " + survivor.engine().view());
        assertEquals(NodeState.MEMBER, survivor.engine().state(), "the survivor of a 2-node cluster keeps serving");
        Ledger ledger = new Ledger(sim, config);
        ledger.round(FIRST_SOURCE, SOURCES).values().forEach(
                owner -> assertEquals(survivor.mac(), owner.longValue(), "every source is served by the survivor"));
    }

    @Test
    void aNodeThatStalledWhileItsOnlyPeerDiedFoundsAfterTheDeadline() {
        ClusterConfig config = sim.config("nlb0", "10.0.0.10");
        List<SimNode> nodes = startNodes(config, 2);
        SimNode a = nodes.get(0);
        SimNode b = nodes.get(1);
        b.freeze();
        a.crash();
        sim.run(3 * DEAD_AFTER);
        b.thaw();
        sim.run(2 * DEAD_AFTER);
        assertTrue(b.engine().state() != NodeState.MEMBER,
                "b founded alone as soon as nobody answered; it must wait for its peer or the deadline");
        assertTrue(sim.runUntil(() -> b.engine().state() == NodeState.MEMBER, 10 * DEAD_AFTER),
                "b never served again: " + b.engine().state());
    }

    private void stallEveryNodeAndCheck(ClusterConfig config, int size) {
        List<SimNode> nodes = startNodes(config, size);
        int acceptedTwice = stallUnderTraffic(config, nodes, 3 * DEAD_AFTER);
        assertEquals(0, acceptedTwice, "datagrams accepted by two nodes");
    }

    private List<SimNode> startNodes(ClusterConfig config, int size) {
        List<SimNode> nodes = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            nodes.add(sim.startAndJoin(config, 0x0200_0000_0000L + i, 1));
        }
        return nodes;
    }

    /**
     * Freezes every node for {@code stallMillis}, thaws them one millisecond apart, and sends a
     * datagram from each source every 10 ms until they form one view of all of them again (and a
     * little after). Returns how many datagrams two or more nodes accepted.
     */
    private int stallUnderTraffic(ClusterConfig config, List<SimNode> nodes, long stallMillis) {
        nodes.forEach(SimNode::freeze);
        sim.run(stallMillis);
        for (SimNode node : nodes) {
            node.thaw();
            sim.run(1);
        }
        List<Long> sent = new ArrayList<>();
        long deadline = sim.time().nowMillis() + 40 * DEAD_AFTER;
        long extra = -1;
        while (sim.time().nowMillis() < deadline) {
            for (int i = 0; i < SOURCES; i++) {
                sent.add(sim.sendUdp(config, FIRST_SOURCE + i, 2000));
            }
            sim.run(10);
            if (extra < 0 && sim.converged(config) && nodes.get(0).engine().view().size() == nodes.size()) {
                extra = 20; // keep sending a while after the view formed
            } else if (extra > 0 && --extra == 0) {
                break;
            }
        }
        assertTrue(extra == 0, "no single view of " + nodes.size() + " after the stall: "
                + nodes.stream().map(n -> NodeAddress.format(n.mac()) + " " + n.engine().state() + " " + n.engine().view())
                        .toList());
        int twice = 0;
        for (long seq : sent) {
            if (sim.acceptedBy(seq).size() > 1) {
                if (twice == 0) {
                    System.out.println("first datagram accepted twice: " + seq + " of " + sent.size() + " by "
                            + sim.acceptedBy(seq).stream().map(NodeAddress::format).toList());
                }
                twice++;
            }
        }
        return twice;
    }
}
