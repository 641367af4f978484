package lnlb.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import lnlb.core.api.ClusterLink;
import lnlb.core.api.run.ClusterConfig;
import lnlb.core.api.run.ClusterCounters;
import lnlb.core.api.run.NodeState;
import lnlb.core.api.wire.FrameAuthenticator;
import lnlb.core.api.wire.FrameHeader;
import lnlb.core.api.wire.FrameWriter;
import lnlb.core.api.wire.WireMessage;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 §1 in the simulation: a keyed 3-node cluster flooded by a host without the key (forged
 * first fragments with huge counts and random indexes in the real nodes' names and with their next
 * message ids, forged JOIN, LEAVE and heartbeats sealed with another key, replays of captured real
 * frames, random bytes) while a 4th node joins and receives a large tracker state. The join
 * completes, it is the only view change, no datagram is accepted twice, and no node holds
 * reassembly memory for the forged frames.
 */
class HostileFramesTest {
    private static final String KEY = "6c6e6c622d636c75737465722d6b6579";
    private static final String WRONG = "77726f6e672d6b65792d77726f6e6721";
    private static final int FLOWS = 40_000;
    private static final int FORGED_PER_MS = 30;

    private final SimulatedCluster sim = new SimulatedCluster(100, 3, 1);
    private final ClusterConfig config = sim.config("nlb0", "10.0.0.10").withKeys(KEY, null, 0);
    private final byte[] vip = FrameHeader.vipBytes(config.vip());
    private final Random rnd = new Random(10);
    /** The last message id seen from each real node: the forger guesses the next ones. */
    private final Map<Long, Integer> lastIds = new HashMap<>();
    private final List<byte[]> captured = new ArrayList<>();
    private final FrameWriter wrongKey = new FrameWriter(config.vip(), 1500, 1 << 20);
    private long forged;

    @Test
    void aFloodOfForgedFramesChangesNothingButTheJoinItSurrounds() {
        List<SimNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(sim.startAndJoin(config, 0x0200_0000_0000L + i, 1));
        }
        wrongKey.sealWith(FrameAuthenticator.of(FrameAuthenticator.parseKey(WRONG), System::currentTimeMillis));
        Ledger ledger = new Ledger(sim, config);
        for (int base = 0; base < FLOWS; base += 10_000) {
            ledger.round(0x0A50_0000 + base, 10_000); // the tracker state the joiner will need
        }
        captureRealFrames(nodes);
        sim.run(300);
        Map<Long, Set<String>> views = new HashMap<>();
        nodes.forEach(n -> recordView(views, n));

        for (int ms = 0; ms < 200; ms++) { // the forger is there first, with the next message ids
            flood(nodes, FORGED_PER_MS);
            sim.run(1);
            nodes.forEach(n -> recordView(views, n));
        }
        SimNode joiner = sim.start(config, 0x0200_0000_0040L, 1);
        long joinStarted = sim.time().nowMillis();
        long forgedBeforeJoin = forged;
        int round = 0;
        while (!(joiner.engine().state() == NodeState.MEMBER && sim.converged(config)) && round < 5_000) {
            for (int ms = 0; ms < 5; ms++) {
                flood(nodes, 10 * FORGED_PER_MS); // ten times as hard while the state is in flight
                sim.run(1);
                nodes.forEach(n -> recordView(views, n));
            }
            ledger.round(0x0A50_0000 + rnd.nextInt(FLOWS), 20); // exactly one node accepts each
            round++;
        }
        long joinMillis = sim.time().nowMillis() - joinStarted;
        long forgedDuringJoin = forged - forgedBeforeJoin;
        for (int ms = 0; ms < 300; ms++) { // and after the join
            flood(nodes, FORGED_PER_MS);
            sim.run(1);
            nodes.forEach(n -> recordView(views, n));
        }

        assertEquals(NodeState.MEMBER, joiner.engine().state(), "the join completed under the flood");
        assertTrue(sim.converged(config));
        assertEquals(4, joiner.engine().view().size());
        assertEquals(nodes.get(0).tracker().entries(nodes.get(0).engine().cluster()), joiner.tracker().entries(joiner.engine().cluster()),
                "the joiner holds the whole state");
        assertTrue(joiner.tracker().entries(joiner.engine().cluster()) >= FLOWS, "a large state: " + FLOWS + " flows");
        for (SimNode node : nodes) {
            assertEquals(2, views.get(node.mac()).size(), "only the join changed the view: " + views.get(node.mac()));
        }
        Map<Integer, Long> owners = ledger.round(0x0B00_0000, 4_000); // new flows: tracked ones stay where they are
        assertTrue(Ledger.perNode(owners).getOrDefault(joiner.mac(), 0) > 500, "the joiner owns its share");
        long refused = 0;
        for (SimNode node : sim.nodes()) {
            ClusterCounters c = node.engine().counters();
            refused += c.badTag() + c.unauthenticated() + c.replayed();
            assertEquals(0, c.wire("badFragment"), "no real fragment was refused: " + c);
        }
        System.out.printf("join of %d flows in %d virtual ms under %d forged frames (%d in all), %d refusals%n",
                joiner.tracker().entries(joiner.engine().cluster()), joinMillis, forgedDuringJoin, forged, refused);
        assertTrue(forgedDuringJoin >= 1_000, "the flood hit the state transfer: " + forgedDuringJoin);
        assertTrue(forged > 10_000 && refused >= 3 * forged / 2, forged + " forged frames, " + refused + " refused");
    }

    private void recordView(Map<Long, Set<String>> views, SimNode node) {
        views.computeIfAbsent(node.mac(), m -> new LinkedHashSet<>()).add(node.engine().view().toString());
    }

    /** Copies the real nodes' frames as they pass (once each, at the first node that sees them). */
    private void captureRealFrames(List<SimNode> nodes) {
        ClusterLink first = nodes.get(0).link();
        ClusterLink second = nodes.get(1).link();
        sim.hub().setFilter((from, to, frame) -> {
            if (to == (from == first ? second : first) && frame.length > FrameHeader.FRAME_HEADER_LENGTH
                    && FrameHeader.isCluster(frame)) {
                FrameHeader header = FrameHeader.read(frame);
                lastIds.put(header.source(), header.messageId());
                if (captured.size() < 20_000) {
                    captured.add(frame.clone());
                }
            }
            return true;
        });
    }

    /** One millisecond of the hostile host. */
    private void flood(List<SimNode> nodes, int frames) {
        for (int i = 0; i < frames; i++) {
            SimNode victim = nodes.get(rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(2) : 0); // mostly the state's sender
            int nextId = lastIds.getOrDefault(victim.mac(), 0) + 1 + rnd.nextInt(8);
            switch (rnd.nextInt(6)) {
                case 0, 1 -> inject(forgedFirstFragment(victim.mac(), nextId, rnd.nextBoolean()));
                case 2 -> {
                    WireMessage m = switch (rnd.nextInt(3)) {
                        case 0 -> WireMessage.join(1);
                        case 1 -> WireMessage.leave();
                        default -> WireMessage.heartbeat(victim.engine().view().epoch() + 1, 1, 3);
                    };
                    wrongKey.write(m, victim.mac(), config.clusterMac(), nextId, this::inject);
                }
                case 3 -> {
                    if (!captured.isEmpty()) {
                        inject(captured.get(rnd.nextInt(captured.size())).clone());
                    }
                }
                case 4 -> {
                    byte[] junk = new byte[60 + rnd.nextInt(1400)];
                    rnd.nextBytes(junk);
                    junk[12] = (byte) 0x88;
                    junk[13] = (byte) 0xB5;
                    inject(junk);
                }
                default -> inject(forgedFirstFragment(0x0200_0000_0000L | rnd.nextInt(1 << 24), rnd.nextInt(), true));
            }
        }
    }

    private void inject(byte[] frame) {
        forged++;
        sim.inject(frame);
    }

    /** A first fragment that passes every header check: huge count, random index, random body and tag. */
    private byte[] forgedFirstFragment(long sender, int id, boolean sealed) {
        int slice = 1500 - FrameHeader.HEADER_LENGTH - FrameHeader.TRAILER_LENGTH;
        int count = 2 + rnd.nextInt(FrameHeader.MAX_FRAGMENTS - 1);
        long total = (long) (count - 1) * slice + 1 + rnd.nextInt(slice);
        ByteBuffer b = ByteBuffer.allocate(FrameHeader.FRAME_HEADER_LENGTH + slice + FrameHeader.TRAILER_LENGTH);
        rnd.nextBytes(b.array());
        lnlb.core.api.NodeAddress.write(b, FrameHeader.DESTINATION_OFFSET, config.clusterMac());
        lnlb.core.api.NodeAddress.write(b, FrameHeader.SOURCE_OFFSET, sender);
        b.putShort(FrameHeader.ETHERTYPE_OFFSET, (short) FrameHeader.ETHERTYPE);
        b.put(FrameHeader.VERSION_OFFSET, (byte) FrameHeader.VERSION);
        b.put(FrameHeader.TYPE_OFFSET, (byte) WireMessage.CONNTRACK);
        b.putShort(FrameHeader.FLAGS_OFFSET, (short) (sealed ? FrameHeader.FLAG_SEALED : 0));
        b.put(FrameHeader.VIP_OFFSET, vip);
        b.putInt(FrameHeader.MESSAGE_ID_OFFSET, id);
        b.putShort(FrameHeader.FRAGMENT_INDEX_OFFSET, (short) rnd.nextInt(count - 1));
        b.putShort(FrameHeader.FRAGMENT_COUNT_OFFSET, (short) count);
        b.putInt(FrameHeader.TOTAL_LENGTH_OFFSET, (int) total);
        b.putShort(FrameHeader.SLICE_LENGTH_OFFSET, (short) slice);
        return b.array();
    }

}
