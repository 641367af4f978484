package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.wire.FrameWriter;
import lnlb.core.api.wire.WireMessage;
import lnlb.core.api.wire.WireMessage.Member;
import org.junit.jupiter.api.Test;

/**
 * Without a key the cluster trusts its LAN with its membership, but forged cluster messages must
 * still never make two nodes accept one datagram. Every node sees a forged frame at the same point
 * of the stream and decides alike, except the node whose MAC it carries: the links never hand a
 * node its own frames, so that node drops it. A COMMIT forged under a member's MAC thus switched
 * every node but that member to a view it never made (before the fix: a third of the datagrams
 * accepted twice); now that member rejoins instead.
 */
class ForgeryTest {
    private static final int FIRST_SOURCE = 0x0A30_0000;
    private static final int SOURCES = 200;

    private final SimulatedCluster sim = new SimulatedCluster(100, 5, 1);
    private final ClusterConfig config = sim.config("nlb0", "10.0.0.10");
    private final FrameWriter forger = new FrameWriter(config.vip(), 1500, 1 << 20);
    private int forgedId = 1_000_000;
    private int nextSource;

    @Test
    void aCommitForgedUnderAMembersMacNeverMakesTwoNodesAccept() {
        List<SimNode> nodes = startThree();
        for (SimNode victim : nodes) {
            long epoch = nodes.stream().mapToLong(n -> n.engine().view().epoch()).max().orElseThrow() + 1;
            // weights that move most sources: the victim's old share goes to the others
            List<Member> members = nodes.stream().map(n -> new Member(n.mac(), n == victim ? 50 : 1)).toList();
            int twice = underTraffic(() -> forge(victim.mac(), WireMessage.commit(epoch, members)));
            assertEquals(0, twice, "datagrams accepted twice after a COMMIT forged under " + NodeAddress.format(victim.mac()));
            assertTrue(nodes.get(0).engine().counters().forgedOwnMessages() + nodes.get(1).engine().counters().forgedOwnMessages()
                    + nodes.get(2).engine().counters().forgedOwnMessages() > 0, "the forgery was seen by its victim");
        }
    }

    @Test
    void forgedJoinsLeavesAndHeartbeatsUnderMembersMacsNeverMakeTwoNodesAccept() {
        List<SimNode> nodes = startThree();
        for (SimNode victim : nodes) {
            int twice = underTraffic(() -> {
                forge(victim.mac(), WireMessage.leave());
                forge(victim.mac(), WireMessage.join(1));
                forge(victim.mac(), WireMessage.heartbeat(victim.engine().view().epoch() + 7, 3, 3));
                forge(0x0200_0000_0000L, WireMessage.heartbeat(victim.engine().view().epoch() + 1, 1, 3)); // a lower "member"
            });
            assertEquals(0, twice, "datagrams accepted twice under forged membership messages of " + NodeAddress.format(victim.mac()));
        }
    }

    /**
     * JOINs forged under every member at once: each node sees the others as restarted, but not
     * itself (its own is forged under its MAC, which it drops), so each took itself for the
     * coordinator and committed a view of its own (the lab's keyless phase saw 13 requests
     * answered twice). A node that sees its own MAC forged now rejoins, as the others believe.
     */
    @Test
    void joinsForgedUnderEveryMemberAtOnceNeverMakeTwoCoordinators() {
        List<SimNode> nodes = startThree();
        int twice = underTraffic(() -> nodes.forEach(n -> forge(n.mac(), WireMessage.join(1))));
        assertEquals(0, twice, "datagrams accepted twice after JOINs forged under every member");
    }

    @Test
    void aStreamOfForgedJoinsCostsAtMostOneStateDumpPerInterval() {
        List<SimNode> nodes = startThree();
        long before = nodes.get(0).engine().counters().engine("joins.served");
        // 2,000 JOINs in one second (100 ms interval): from random MACs and under a real member's
        for (int ms = 0; ms < 1000; ms++) {
            forge(0x0266_0000_0000L + ms, WireMessage.join(1));
            forge(nodes.get(1).mac(), WireMessage.join(1));
            sim.run(1);
        }
        long served = nodes.get(0).engine().counters().engine("joins.served") - before;
        assertTrue(served <= 11, "the coordinator dumped its state " + served + " times in 10 intervals");
    }

    @Test
    void aJoinerTakesNoForgedWelcome() {
        List<SimNode> nodes = startThree();
        long epoch = nodes.get(0).engine().view().epoch();
        long joinerMac = 0x0200_0000_0009L;
        List<Member> withJoiner = new ArrayList<>();
        nodes.forEach(n -> withJoiner.add(new Member(n.mac(), 1)));
        withJoiner.add(new Member(joinerMac, 1));
        List<Member> others = List.of(new Member(nodes.get(1).mac(), 1), new Member(nodes.get(2).mac(), 1));
        SimNode joiner = sim.start(config, joinerMac, 1);
        // before the coordinator's answer to its first JOIN can arrive:
        // under the coordinator's MAC, a view that already holds the joiner (a member at once, with no state)
        forge(nodes.get(0).mac(), WireMessage.welcome(joinerMac, epoch + 5, withJoiner));
        // under another member's MAC, a plausible view: not the coordinator
        forge(nodes.get(1).mac(), WireMessage.welcome(joinerMac, epoch, others));
        int twice = underTraffic(() -> { });
        assertEquals(0, twice, "datagrams accepted twice after forged WELCOMEs");
        assertEquals(4, joiner.engine().view().size(), "the joiner joined for real: " + joiner.engine().view());
        assertTrue(joiner.engine().counters().engine("bad.messages") >= 2, "the forged WELCOMEs were refused");
    }

    private List<SimNode> startThree() {
        List<SimNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(sim.startAndJoin(config, 0x0200_0000_0000L + i, 1));
        }
        return nodes;
    }

    /**
     * Sends a datagram from {@code SOURCES} new sources every 10 ms, runs {@code forgery} once after 100 ms, and
     * goes on until the cluster is one view of three again (and a second more). Returns how many
     * datagrams two or more nodes accepted.
     */
    private int underTraffic(Runnable forgery) {
        List<Long> sent = new ArrayList<>();
        long start = sim.time().nowMillis();
        boolean forged = false;
        long settledAt = -1;
        while (sim.time().nowMillis() - start < 60_000) {
            for (int i = 0; i < SOURCES; i++) {
                // new sources only: a tracked source keeps its owner whatever the view says
                sent.add(sim.sendUdp(config, FIRST_SOURCE + nextSource++, 3000));
            }
            sim.run(10);
            long now = sim.time().nowMillis();
            if (!forged && now - start >= 100) {
                forgery.run();
                forged = true;
            } else if (forged && settledAt < 0 && now - start > 2_000 && sim.converged(config)) {
                settledAt = now;
            } else if (settledAt >= 0 && now - settledAt >= 1_000) {
                break;
            }
        }
        assertTrue(settledAt >= 0, "the cluster never became one view of three again");
        int twice = 0;
        for (long seq : sent) {
            twice += sim.acceptedBy(seq).size() > 1 ? 1 : 0;
        }
        return twice;
    }

    private void forge(long sender, WireMessage message) {
        forger.write(message, sender, config.clusterMac(), forgedId++, sim::inject);
    }
}
