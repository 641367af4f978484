package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.NodeState;
import lnlb.core.api.wire.FrameAuthenticator;
import lnlb.core.api.wire.FrameHeader;
import lnlb.core.api.wire.FrameWriter;
import lnlb.core.api.wire.WireMessage;
import org.junit.jupiter.api.Test;

/** With a cluster key, nobody without it joins, forges a LEAVE, or replays a captured message. */
class AuthenticationTest {
    private static final String KEY = "6c6e6c622d636c75737465722d6b6579";
    private static final String WRONG = "77726f6e672d6b65792d77726f6e6721";
    private static final String NEXT = "6e6578742d6b65792d6e6578742d6b65";

    private final SimulatedCluster sim = new SimulatedCluster(100, 3, 1);
    private final ClusterConfig config = sim.config("nlb0", "10.0.0.10").withKeys(KEY, null, 0);

    private List<SimNode> startThree() {
        List<SimNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(sim.startAndJoin(config, 0x0200_0000_0000L + i, 1));
        }
        return nodes;
    }

    private long badTags(List<SimNode> nodes) {
        return nodes.stream().mapToLong(n -> n.engine().counters().badTag()).sum();
    }

    @Test
    void aNodeWithTheWrongKeyOrNoKeyNeverJoins() {
        List<SimNode> nodes = startThree();
        SimNode intruder = sim.start(sim.config("nlb0", "10.0.0.10").withKeys(WRONG, null, 0), 0x0200_0000_0010L, 1);
        SimNode keyless = sim.start(sim.config("nlb0", "10.0.0.10"), 0x0200_0000_0011L, 1);
        sim.run(2000);
        for (SimNode node : nodes) {
            assertFalse(node.engine().view().contains(intruder.mac()));
            assertFalse(node.engine().view().contains(keyless.mac()));
            assertTrue(node.engine().counters().unauthenticated() > 0);
        }
        assertTrue(badTags(nodes) > 0);
        assertTrue(sim.converged(config));
        assertEquals(3, nodes.get(0).engine().view().size());
    }

    @Test
    void aForgedLeaveAndAReplayedMessageChangeNothing() {
        List<SimNode> nodes = startThree();
        SimNode victim = nodes.get(1);
        // A forged LEAVE in the victim's name, sealed with a guessed key.
        FrameWriter forger = new FrameWriter(config.vip(), 1500, 1 << 20)
                .sealWith(FrameAuthenticator.of(FrameAuthenticator.parseKey(WRONG), System::currentTimeMillis));
        List<byte[]> forged = forger.frames(WireMessage.leave(), victim.mac(), config.clusterMac(), 99);
        forged.forEach(sim::inject);
        // Real heartbeats of the victim, captured off the wire, replayed later.
        List<byte[]> captured = new ArrayList<>();
        sim.hub().setFilter((from, to, frame) -> {
            if (from == victim.link() && FrameHeader.isCluster(frame)
                    && frame[FrameHeader.TYPE_OFFSET] == WireMessage.HEARTBEAT) {
                captured.add(frame.clone());
            }
            return true;
        });
        sim.run(300);
        sim.hub().setFilter((from, to, frame) -> true);
        assertFalse(captured.isEmpty());
        captured.forEach(sim::inject);
        sim.run(300);
        long replayed = nodes.stream().mapToLong(n -> n.engine().counters().replayed()).sum();
        assertTrue(replayed > 0, "replays counted");
        assertTrue(badTags(nodes) > 0, "the forged LEAVE was refused");
        for (SimNode node : nodes) {
            assertTrue(node.engine().view().contains(victim.mac()), "the victim is still a member");
        }
        assertTrue(sim.converged(config));
    }

    @Test
    void theKeyRotatesWithoutDowntime() {
        List<SimNode> nodes = startThree();
        long epoch = nodes.get(0).engine().view().epoch();
        // Each node restarts, one by one, with the new key and the old one still accepted; the
        // cluster stays whole throughout and never loses a member it should have.
        ClusterConfig rotated = sim.config("nlb0", "10.0.0.10").withKeys(NEXT, KEY, 60_000);
        ClusterConfig accepting = sim.config("nlb0", "10.0.0.10").withKeys(KEY, NEXT, 60_000);
        // Phase 1: everybody accepts the next key. Phase 2: everybody sends with it.
        for (ClusterConfig phase : List.of(accepting, rotated)) {
            for (int i = 0; i < nodes.size(); i++) {
                SimNode old = nodes.get(i);
                old.leave();
                SimNode fresh = sim.start(phase, old.mac() + 0x100, 1);
                nodes.set(i, fresh);
                assertTrue(sim.runUntil(() -> fresh.engine().state() == NodeState.MEMBER, 5000),
                        "node joined under " + phase.key());
            }
        }
        sim.run(500);
        for (SimNode node : nodes) {
            assertEquals(3, node.engine().view().size(), node.engine().view().toString());
            assertTrue(node.engine().view().epoch() > epoch);
        }
    }
}
