package lnlb.core.api.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import lnlb.core.api.NodeAddress;
import lnlb.core.internal.engine.CutTable;
import org.junit.jupiter.api.Test;

/** The public way to run a cluster: nodes in virtual time on an in-memory network, and its value types. */
class ClusterRunnerTest {
    private static final long A = 0x0200_0000_0001L;
    private static final long B = 0x0200_0000_0002L;
    private static final long C = 0x0200_0000_0003L;

    private final VirtualClock clock = new VirtualClock(1_000_000);
    private final MemoryNetwork network = MemoryNetwork.simulated(clock, 1);
    private final ClusterConfig config = ClusterConfig.of("nlb0", ip("10.0.0.10"), "eth0", 100, 3);

    private RunningCluster node(long mac) {
        return ClusterRunner.of(config, network.attach(mac, "nlb0", 1500)).virtualTime(clock).freezable().start();
    }

    private static boolean converged(List<RunningCluster> nodes) {
        ClusterView first = nodes.get(0).view();
        for (RunningCluster node : nodes) {
            if (node.state() != NodeState.MEMBER || !node.view().equals(first)) {
                return false;
            }
        }
        return first.size() == nodes.size();
    }

    @Test
    void threeNodesJoinOneViewAndOneLeaves() throws Exception {
        List<RunningCluster> nodes = new ArrayList<>();
        for (long mac : new long[] {A, B, C}) {
            nodes.add(node(mac));
            assertTrue(clock.runUntil(() -> converged(nodes), 10_000), "not one view: " + nodes);
        }
        RunningCluster a = nodes.get(0);
        assertEquals(A, a.localNode());
        assertEquals(A, a.coordinator());
        assertEquals(3, a.view().size());
        assertTrue(a.counters().engine("view.changes") > 0);
        assertTrue(a.counters().wire("decoded") > 0);
        assertTrue(a.peerAges().containsKey(B));

        RunningCluster c = nodes.remove(2);
        c.leave();
        assertEquals(NodeState.STOPPED, c.state());
        c.close();
        assertTrue(clock.runUntil(() -> converged(nodes), 1_000), "C's LEAVE was not heard");
        assertFalse(a.view().contains(C));
    }

    @Test
    void aFrozenNodeIsDeclaredDeadAndRejoinsAfterTheThaw() {
        List<RunningCluster> nodes = new ArrayList<>(List.of(node(A)));
        assertTrue(clock.runUntil(() -> converged(nodes), 10_000));
        nodes.add(node(B));
        assertTrue(clock.runUntil(() -> converged(nodes), 10_000));
        RunningCluster b = nodes.get(1);
        b.freeze();
        assertTrue(clock.runUntil(() -> nodes.get(0).view().size() == 1, 10 * config.deadAfterMillis()));
        b.thaw();
        assertTrue(clock.runUntil(() -> converged(nodes), 10 * config.deadAfterMillis()), "B never came back");
    }

    @Test
    void callAndScheduleRunOnTheLoop() {
        RunningCluster a = node(A);
        List<Long> ran = new ArrayList<>();
        a.schedule(50, () -> ran.add(a.nowMillis()));
        RunningCluster.Timer cancelled = a.schedule(60, () -> ran.add(-1L));
        cancelled.cancel();
        clock.runFor(100);
        assertEquals(List.of(1_000_050L), ran);
        assertEquals(a.state(), a.call(a::state));
    }

    @Test
    void theConfigIsValidatedByTheEnginesRules() {
        assertThrows(IllegalArgumentException.class, () -> ClusterConfig.of("nlb0", ip("10.0.0.10"), "eth0", 5, 3));
        assertThrows(IllegalArgumentException.class, () -> ClusterConfig.of("nlb0", ip("10.0.0.10"), "eth0", 100, 1));
        assertThrows(IllegalArgumentException.class, () -> config.withKeys("not a key", null, 0));
        assertThrows(IllegalArgumentException.class, () -> config.withKeys(null, "00112233445566778899aabbccddeeff", 1));
        assertThrows(IllegalArgumentException.class, () -> config.withBounds(0, 1));
        ClusterConfig keyed = config.withKeys("00112233445566778899aabbccddeeff", null, 0);
        assertFalse(keyed.toString().contains("0011"), "the key is never shown");
        assertTrue(config.quorum(), "the majority rule is on by default");
        assertEquals(NodeAddress.unicastClusterMac(ip("10.0.0.10")), config.clusterMac());
        assertEquals(250, config.deadAfterMillis());
        assertThrows(IllegalArgumentException.class, () -> new HostWeights("sometimes", 1));
        assertThrows(IllegalArgumentException.class, () -> WeightSource.fixed(0));
        assertThrows(IllegalStateException.class,
                () -> ClusterRunner.of(config, network.attach(A, "nlb0", 1500)).freezable().build());
    }

    @Test
    void aViewDecidesAsTheCutTable() {
        ClusterView view = new ClusterView(7, new long[] {C, A, B}, new int[] {3, 1, 2});
        assertEquals(A, view.member(0));
        assertEquals(3, view.weightOf(C));
        CutTable table = new CutTable(new long[] {A, B, C}, new int[] {1, 2, 3});
        for (long key = 0; key < 10_000; key++) {
            assertEquals(table.ownerOfKey(key), view.ownerOfKey(key));
        }
        assertEquals(view, new ClusterView(7, new long[] {A, B, C}, new int[] {1, 2, 3}));
        assertNotEquals(view, new ClusterView(8, new long[] {A, B, C}, new int[] {1, 2, 3}));
        assertEquals(NodeAddress.NONE, ClusterView.EMPTY.ownerOfKey(1));
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
