package lnlb.core.api.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.wire.WireMessage.Member;
import lnlb.core.internal.wire.ClusterMessage;
import lnlb.core.internal.wire.Fragmenter;
import lnlb.core.internal.wire.MessageAuthenticator;
import lnlb.core.internal.wire.MessageCodec;
import lnlb.core.internal.wire.View;
import org.junit.jupiter.api.Test;

/** The tool API writes and reads exactly what the engine's wire code does: it is that code. */
class WireToolTest {
    private static final InetAddress VIP = address();
    private static final long CLUSTER = NodeAddress.unicastClusterMac(VIP);
    private static final long SENDER = 0x02_00_00_00_00_11L;
    private static final byte[] KEY = new byte[32];

    private static InetAddress address() {
        try {
            return InetAddress.getByAddress(new byte[] {10, 0, 0, 100});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** One message of every type, through the API and as the engine's records. */
    private static List<WireMessage> api() {
        List<Member> members = List.of(new Member(SENDER, 10), new Member(0x02_00_00_00_00_12L, 20));
        return List.of(WireMessage.join(10), WireMessage.welcome(SENDER, 2, members, 0, 7),
                WireMessage.heartbeat(1, 10, 3), WireMessage.askRetransmit(SENDER, 1), WireMessage.retransmit(1, 10, 3),
                WireMessage.leave(), WireMessage.conntrack(SENDER, 1, new byte[3000]), WireMessage.prepare(2, members),
                WireMessage.prepared(2), WireMessage.commit(2, members),
                WireMessage.committed(2, true, new int[] {0, 17}, new long[] {1, 7}, new long[] {42, 43}));
    }

    private static List<ClusterMessage> internal() {
        View view = new View(2, List.of(new View.Member(SENDER, 10), new View.Member(0x02_00_00_00_00_12L, 20)));
        return List.of(new ClusterMessage.Join(10), new ClusterMessage.Welcome(SENDER, view, new int[] {0, 7}),
                new ClusterMessage.Heartbeat(1, 10, 3), new ClusterMessage.AskRetransmit(SENDER, 1),
                new ClusterMessage.Retransmit(1, 10, 3), new ClusterMessage.Leave(),
                new ClusterMessage.Conntrack(SENDER, 1, new byte[3000]), new ClusterMessage.Prepare(view),
                new ClusterMessage.Prepared(2), new ClusterMessage.Commit(view),
                new ClusterMessage.Committed(2, true, new int[] {0, 17}, new long[] {1, 7}, new long[] {42, 43}));
    }

    @Test
    void messagesAreTheEnginesMessages() {
        List<WireMessage> api = api();
        List<ClusterMessage> internal = internal();
        for (int i = 0; i < api.size(); i++) {
            WireMessage m = api.get(i);
            assertEquals(internal.get(i), m.message);
            assertEquals(i + 1, m.type(), WireMessage.typeName(m.type()));
            assertArrayEquals(MessageCodec.encode(internal.get(i)), m.body());
            assertEquals(m.body().length, m.bodyLength());
            assertEquals(m, WireMessage.decode(m.type(), m.body()));
        }
        assertEquals(List.of(new Member(SENDER, 10), new Member(0x02_00_00_00_00_12L, 20)), api.get(1).members());
        assertEquals(2, api.get(1).epoch());
        assertArrayEquals(new int[] {0, 7}, api.get(1).protocols());
        assertEquals(3000, api.get(6).stateBytes().length);
        assertArrayEquals(new long[] {42, 43}, api.get(10).digests());
        assertThrows(IllegalStateException.class, () -> WireMessage.leave().epoch());
        assertThrows(IllegalArgumentException.class, () -> WireMessage.heartbeat(1, 1, 256));
        assertNull(WireMessage.decode(WireMessage.JOIN, new byte[3]));
        assertNull(WireMessage.decode(99, new byte[0]));
    }

    @Test
    void framesAreByteForByteTheFragmentersAndAReaderTakesThemBack() {
        for (boolean sealed : new boolean[] {false, true}) {
            FrameWriter writer = new FrameWriter(VIP, 200, 1 << 20)
                    .sealWith(sealed ? FrameAuthenticator.of(KEY, () -> 1L) : null);
            Fragmenter fragmenter = new Fragmenter(200, 1 << 20);
            fragmenter.setAuthenticator(sealed ? new MessageAuthenticator(KEY, null, 0, () -> 1L) : null);
            FrameReader reader = new FrameReader(VIP).openWith(sealed ? FrameAuthenticator.of(KEY, () -> 1L) : null);
            List<ClusterMessage> internal = internal();
            List<WireMessage> api = api();
            for (int i = 0; i < api.size(); i++) {
                List<byte[]> expected = new ArrayList<>();
                fragmenter.send(internal.get(i), FrameHeader.vipBytes(VIP), SENDER, CLUSTER, 40 + i, frame -> {
                    byte[] copy = new byte[frame.remaining()];
                    frame.get(frame.position(), copy);
                    expected.add(copy);
                });
                List<byte[]> frames = writer.frames(api.get(i), SENDER, CLUSTER, 40 + i);
                assertEquals(expected.size(), frames.size());
                assertEquals(writer.fragmentCount(api.get(i).bodyLength()), frames.size());
                FrameReader.Received received = null;
                for (int f = 0; f < frames.size(); f++) {
                    assertArrayEquals(expected.get(f), frames.get(f));
                    FrameHeader header = FrameHeader.read(frames.get(f));
                    assertEquals(new FrameHeader(CLUSTER, SENDER, FrameHeader.ETHERTYPE, FrameHeader.VERSION,
                            api.get(i).type(), sealed ? FrameHeader.FLAG_SEALED : 0, 40 + i, f, frames.size(),
                            api.get(i).bodyLength(), header.crc(), header.sliceLength(), sealed), header);
                    assertTrue(FrameHeader.isCluster(frames.get(f)));
                    received = reader.accept(frames.get(f), 0);
                }
                assertNotNull(received, WireMessage.typeName(api.get(i).type()));
                assertEquals(new FrameReader.Received(SENDER, 40 + i, api.get(i)), received);
            }
            assertEquals(reader.received(), reader.accounted());
            assertEquals(api().size(), reader.counters().get("decoded"));
            assertEquals(0, reader.pendingMessages());
            // The same frames again: replayed when sealed; taken again when not (no replay protection without a key).
            byte[] again = writer.frames(WireMessage.leave(), SENDER, CLUSTER, 1).get(0);
            assertNotNull(reader.accept(again, 0));
            FrameReader.Received replay = reader.accept(ByteBuffer.wrap(again), 0, again.length, 0);
            assertEquals(sealed, replay == null);
            assertEquals(sealed ? 1 : 0, reader.counters().get("replayed"));
        }
    }

    @Test
    void aReaderWithAKeyRefusesUnsealedAndWronglySealedFrames() {
        FrameReader reader = new FrameReader(VIP).openWith(FrameAuthenticator.of(KEY, () -> 1L));
        byte[] unsealed = new FrameWriter(VIP, 1500, 1 << 20).frames(WireMessage.leave(), SENDER, CLUSTER, 1).get(0);
        byte[] wrong = new FrameWriter(VIP, 1500, 1 << 20).sealWith(FrameAuthenticator.of(new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, () -> 1L))
                .frames(WireMessage.leave(), SENDER, CLUSTER, 2).get(0);
        assertNull(reader.accept(unsealed, 0));
        assertNull(reader.accept(wrong, 0));
        assertNull(reader.accept(null, 3, 4, 0));
        assertEquals(1, reader.counters().get("unauthenticated"));
        assertEquals(1, reader.counters().get("badTag"));
        assertEquals(1, reader.counters().get("truncated"));
        assertEquals(3, reader.received());
        assertNull(FrameHeader.read(new byte[FrameHeader.FRAME_HEADER_LENGTH - 1]));
        assertArrayEquals(KEY, FrameAuthenticator.parseKey("00".repeat(32)));
    }
}
