package lnlb.core.internal.wire;

import static lnlb.core.internal.wire.WireFixtures.NODE_A;
import static lnlb.core.internal.wire.WireFixtures.NODE_B;
import static lnlb.core.internal.wire.WireFixtures.NODE_C;
import static lnlb.core.internal.wire.WireFixtures.hex;
import static lnlb.core.internal.wire.WireFixtures.unhex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import lnlb.core.internal.wire.ClusterMessage.AskRetransmit;
import lnlb.core.internal.wire.ClusterMessage.Committed;
import lnlb.core.internal.wire.ClusterMessage.Conntrack;
import lnlb.core.internal.wire.ClusterMessage.Heartbeat;
import lnlb.core.internal.wire.ClusterMessage.Join;
import lnlb.core.internal.wire.ClusterMessage.Leave;
import lnlb.core.internal.wire.ClusterMessage.Prepare;
import lnlb.core.internal.wire.ClusterMessage.Prepared;
import lnlb.core.internal.wire.ClusterMessage.Welcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MessageCodecTest {
    static Stream<ClusterMessage> samples() {
        return WireFixtures.samples().stream();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void roundTripsAtAnOffset(ClusterMessage message) {
        byte[] body = MessageCodec.encode(message);
        assertEquals(MessageCodec.bodyLength(message), body.length);
        ByteBuffer buf = WireFixtures.placed(body, 11);
        buf.position(3).limit(11 + body.length + 2);

        ClusterMessage decoded = MessageCodec.decode(message.type(), buf, 11, body.length);

        assertEquals(message, decoded);
        assertEquals(message.hashCode(), decoded.hashCode());
        assertEquals(message.toString(), decoded.toString());
        assertEquals(3, buf.position(), "decode must not move the position");
        assertEquals(11 + body.length + 2, buf.limit());
    }

    @Test
    void goldenBodies() {
        assertEquals("00000005" + "00000000", hex(MessageCodec.encode(new Join(5))));
        assertEquals("00000005" + "cafebabe", hex(MessageCodec.encode(new Join(5, 0xCAFE_BABE))));
        assertEquals("0102030405060708" + "0a0b0c0d" + "0e" + "00" + "00000000",
                hex(MessageCodec.encode(new Heartbeat(0x0102_0304_0506_0708L, 0x0A0B_0C0D, 0x0E))));
        assertEquals("0102030405060708" + "0a0b0c0d" + "03" + "01" + "12345678",
                hex(MessageCodec.encode(new Heartbeat(0x0102_0304_0506_0708L, 0x0A0B_0C0D, 3, 1, 0x1234_5678))));
        assertEquals("525400000003" + "0000000000000009", hex(MessageCodec.encode(new AskRetransmit(NODE_C, 9))));
        assertEquals("", hex(MessageCodec.encode(new Leave())));
        assertEquals("525400000002" + "11" + "00000002" + "aabb",
                hex(MessageCodec.encode(new Conntrack(NODE_B, 17, new byte[] {(byte) 0xAA, (byte) 0xBB}))));
        assertEquals("0000000000000001" + "0001" + "525400000001" + "00000002" + "00" + "0000",
                hex(MessageCodec.encode(new Prepare(new View(1, List.of(new View.Member(NODE_A, 2)))))));
        assertEquals("0000000000000001" + "0001" + "525400000001" + "00000002" + "01" + "0006" + "736f75726365",
                hex(MessageCodec.encode(new Prepare(new View(1, List.of(new View.Member(NODE_A, 2, true)), "source")))));
        assertEquals("0000000000000007", hex(MessageCodec.encode(new Prepared(7))));
        assertEquals("525400000001" + "0000000000000005" + "0000" + "0000" + "0002" + "0611",
                hex(MessageCodec.encode(new Welcome(NODE_A, new View(5, List.of()), new int[] {6, 17}))));
        assertEquals("0000000000000002" + "00" + "00000001" + "06" + "0000000000000003" + "0000000000000004",
                hex(MessageCodec.encode(new Committed(2, false, new int[] {6}, new long[] {3}, new long[] {4}))));
        assertEquals("0000000000000002" + "01" + "00000001" + "06" + "0000000000000003" + "0000000000000000",
                hex(MessageCodec.encode(new Committed(2, true, new int[] {6}, new long[] {3}))));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyShortOrLongBodyIsRejected(ClusterMessage message) {
        byte[] body = MessageCodec.encode(message);
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        for (int cut = 0; cut < body.length; cut++) {
            assertNull(MessageCodec.decode(message.type(), ByteBuffer.wrap(body), 0, cut), "cut at " + cut);
        }
        assertNull(MessageCodec.decode(message.type(), ByteBuffer.wrap(longer), 0, longer.length), "trailing byte");
    }

    @Test
    void lyingInnerLengthsAreRejected() {
        // Conntrack: state length one more than present, then 0xFFFFFFFF.
        assertNull(decode(ClusterMessage.CONNTRACK, "525400000002" + "11" + "00000003" + "aabb"));
        assertNull(decode(ClusterMessage.CONNTRACK, "525400000002" + "11" + "ffffffff" + "aabb"));
        // View: two members announced, one present.
        assertNull(decode(ClusterMessage.PREPARE, "0000000000000001" + "0002" + "525400000001" + "00000002"));
        assertNull(decode(ClusterMessage.COMMIT, "0000000000000001" + "ffff" + "525400000001" + "00000002"));
        // Welcome: three protocols announced, two present.
        assertNull(decode(ClusterMessage.WELCOME, "525400000001" + "0000000000000005" + "0000" + "0003" + "0611"));
        // Committed: a huge count, and an overflow flag that is neither 0 nor 1.
        String entry = "06" + "0000000000000003" + "0000000000000004";
        assertNull(decode(ClusterMessage.COMMITTED, "0000000000000002" + "00" + "7fffffff" + entry));
        assertNull(decode(ClusterMessage.COMMITTED, "0000000000000002" + "02" + "00000001" + entry));
    }

    @Test
    void unknownTypesAndBadRangesAreRejected() {
        ByteBuffer buf = ByteBuffer.wrap(unhex("0000000500000000"));
        assertEquals(new Join(5), MessageCodec.decode(ClusterMessage.JOIN, buf, 0, 8));
        assertNull(MessageCodec.decode(ClusterMessage.JOIN, buf, 0, 4), "a version 2 JOIN body is too short");
        assertNull(MessageCodec.decode(0, buf, 0, 8));
        assertNull(MessageCodec.decode(ClusterMessage.MAX_TYPE + 1, buf, 0, 8));
        assertNull(MessageCodec.decode(ClusterMessage.JOIN, buf, -1, 8));
        assertNull(MessageCodec.decode(ClusterMessage.JOIN, buf, 1, 8));
        assertNull(MessageCodec.decode(ClusterMessage.JOIN, buf, 0, -8));
        assertNull(MessageCodec.decode(ClusterMessage.JOIN, buf, Integer.MAX_VALUE, 8));
        assertNull(MessageCodec.decode(ClusterMessage.JOIN, null, 0, 8));
        buf.limit(7);
        assertNull(MessageCodec.decode(ClusterMessage.JOIN, buf, 0, 8), "the limit bounds the body");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void littleEndianBuffersStillCarryNetworkOrder(ClusterMessage message) {
        byte[] body = MessageCodec.encode(message);
        ByteBuffer little = ByteBuffer.allocateDirect(body.length + 5).order(ByteOrder.LITTLE_ENDIAN);

        assertEquals(body.length, MessageCodec.encode(message, little, 5));

        byte[] written = new byte[body.length];
        little.get(5, written);
        assertArrayEquals(body, written);
        assertEquals(message, MessageCodec.decode(message.type(), little, 5, body.length));
        assertEquals(ByteOrder.LITTLE_ENDIAN, little.order());
        assertEquals(0, little.position());
    }

    @Test
    void constructorsRejectValuesThatDoNotFitTheWire() {
        assertThrows(IllegalArgumentException.class, () -> new Heartbeat(1, 1, 256));
        assertThrows(IllegalArgumentException.class, () -> new ClusterMessage.Retransmit(1, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> new Conntrack(1L << 48, 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Conntrack(NODE_A, 256, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new AskRetransmit(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Committed(1, false, new int[1], new long[2]));
        assertThrows(IllegalArgumentException.class, () -> new Committed(1, false, new int[1], new long[1],
                new long[2]));
        assertThrows(IllegalArgumentException.class, () -> new Committed(1, false, new int[] {300}, new long[1]));
        assertThrows(IllegalArgumentException.class, () -> new Welcome(NODE_A, WireFixtures.view(1), new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> new View.Member(1L << 48, 0));
    }

    @Test
    void arrayRecordsCompareByContent() {
        Conntrack a = new Conntrack(NODE_A, 6, new byte[] {1, 2});
        assertEquals(a, new Conntrack(NODE_A, 6, new byte[] {1, 2}));
        assertEquals(a.hashCode(), new Conntrack(NODE_A, 6, new byte[] {1, 2}).hashCode());
        assertNotEquals(a, new Conntrack(NODE_A, 6, new byte[] {1, 3}));
        assertEquals(new Committed(1, true, new int[] {2}, new long[] {3}), new Committed(1, true, new int[] {2},
                new long[] {3}));
        assertNotEquals(new Committed(1, true, new int[] {2}, new long[] {3}), new Committed(1, true, new int[] {2},
                new long[] {4}));
        assertArrayEquals(new int[] {6, 17}, new Welcome(NODE_A, WireFixtures.view(1), new int[] {6, 17}).protocols());
    }

    @Test
    void typeNames() {
        assertEquals("HEARTBEAT", ClusterMessage.typeName(ClusterMessage.HEARTBEAT));
        assertEquals("TYPE_99", ClusterMessage.typeName(99));
        for (ClusterMessage m : WireFixtures.samples()) {
            assertEquals(m.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(),
                    ClusterMessage.typeName(m.type()));
        }
    }

    private static ClusterMessage decode(int type, String hex) {
        byte[] body = unhex(hex);
        return MessageCodec.decode(type, ByteBuffer.wrap(body), 0, body.length);
    }

    @org.junit.jupiter.api.Test
    void aViewNamingANodeTwiceIsRefused() {
        View twice = new View(3, java.util.List.of(new View.Member(0x0200_0000_0001L, 1), new View.Member(0x0200_0000_0001L, 2)));
        for (ClusterMessage message : java.util.List.of(new ClusterMessage.Prepare(twice), new ClusterMessage.Commit(twice),
                new ClusterMessage.Welcome(0x0200_0000_0009L, twice, new int[0]))) {
            byte[] body = MessageCodec.encode(message);
            org.junit.jupiter.api.Assertions.assertNull(MessageCodec.decode(message.type(), java.nio.ByteBuffer.wrap(body), 0,
                    body.length), ClusterMessage.typeName(message.type()));
        }
    }
}
