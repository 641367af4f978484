package lnlb.core.api;

import static lnlb.core.api.Datagram.ABSENT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How {@link Datagram#wrap} treats its input: truncation at every length, lying lengths, unknown
 * versions, offsets, reuse of one instance, and the buffer's own state (position, limit, order).
 */
class DatagramWrapTest {
    private static final int AT = 5;

    /** What a fresh view says about the packet at {@code buffer[offset, offset + length)}. */
    private static Snapshot fresh(ByteBuffer buffer, int offset, int length) {
        return Snapshot.of(new Datagram().wrap(buffer, offset, length));
    }

    private static void assertInvalid(Datagram d, String what) {
        assertFalse(d.valid(), what);
        assertEquals(0, d.version(), what);
        assertEquals(ABSENT, d.protocol(), what);
        assertEquals(ABSENT, d.transportOffset(), what);
        assertEquals(ABSENT, d.sourcePort(), what);
        assertEquals(ABSENT, d.destinationPort(), what);
        assertEquals(ABSENT, d.tcpFlags(), what);
    }

    @ParameterizedTest
    @EnumSource(GoldenFrame.class)
    void truncatedAtEveryLength(GoldenFrame frame) {
        byte[] ip = frame.ip();
        Datagram d = new Datagram();
        for (int n = 0; n <= ip.length; n++) {
            // The buffer ends where the prefix ends: any read past it throws.
            ByteBuffer exact = GoldenFrame.place(Arrays.copyOf(ip, n), AT, 0);
            Snapshot snapshot = Snapshot.of(d.wrap(exact, AT, n));
            if (n < ip.length) {
                assertInvalid(d, frame + " cut to " + n + " bytes");
            } else {
                assertTrue(d.valid(), frame + " whole");
                assertEquals(frame.ipLength(), d.length());
            }
            // Junk after the prefix in a larger buffer must not change the verdict.
            ByteBuffer roomy = GoldenFrame.place(Arrays.copyOf(ip, n), AT, 64);
            assertEquals(snapshot, fresh(roomy, AT, n), frame + " cut to " + n + " bytes, in a larger buffer");
        }
    }

    @ParameterizedTest
    @EnumSource(GoldenFrame.class)
    void wholeFrameWithEveryAmountOfPadding(GoldenFrame frame) {
        byte[] ip = frame.ip();
        Snapshot exact = fresh(GoldenFrame.place(ip, AT, 0), AT, ip.length);
        assertTrue(exact.valid());
        for (int padding = 1; padding <= 64; padding++) {
            ByteBuffer padded = GoldenFrame.place(ip, AT, padding);
            assertEquals(exact, fresh(padded, AT, ip.length + padding), frame + " with " + padding + " bytes of padding");
        }
    }

    @ParameterizedTest
    @EnumSource(GoldenFrame.class)
    void sameAnswerAtEveryOffset(GoldenFrame frame) {
        byte[] ip = frame.ip();
        Snapshot reference = fresh(ByteBuffer.wrap(ip), 0, ip.length);
        assertTrue(reference.valid());
        for (int offset : new int[] {1, 2, 3, 7, 8, 13, 14, 63, 64, 1000, 4093}) {
            ByteBuffer buffer = GoldenFrame.place(ip, offset, 17);
            Datagram d = new Datagram().wrap(buffer, offset, ip.length);
            assertEquals(offset, d.offset());
            assertEquals(reference, Snapshot.of(d), frame + " at " + offset);
        }
    }

    @ParameterizedTest
    @EnumSource(GoldenFrame.class)
    void ipv4TotalLengthOrIpv6PayloadLengthThatLiesUpwards(GoldenFrame frame) {
        byte[] ip = frame.ip();
        int lengthField = frame.isIpv4() ? 2 : 4;
        int claimed = frame.isIpv4() ? ip.length : ip.length - 40;
        for (int lie : new int[] {claimed + 1, claimed + 2, claimed + 100, 0xFFFF}) {
            byte[] liar = Packets.withShort(ip, lengthField, lie);
            ByteBuffer buffer = GoldenFrame.place(liar, AT, 3);
            Datagram d = new Datagram().wrap(buffer, AT, liar.length);
            assertInvalid(d, frame + " claiming " + lie);
        }
    }

    @Test
    void ipv4TotalLengthBelowTheHeaderLengthIsInvalid() {
        byte[] ip = GoldenFrame.IPV4_TCP_OPTIONS.ip();   // IHL 6
        for (int lie = 0; lie < 24; lie++) {
            byte[] liar = Packets.withShort(ip, 2, lie);
            assertInvalid(new Datagram().wrap(GoldenFrame.place(liar, AT, 0), AT, liar.length), "total length " + lie);
        }
    }

    @Test
    void ipv4TotalLengthThatLiesDownwardsClipsThePacket() {
        byte[] ip = GoldenFrame.IPV4_TCP_SYN.ip();
        byte[] liar = Packets.withShort(ip, 2, 30);   // 10 bytes of TCP
        Datagram d = new Datagram().wrap(GoldenFrame.place(liar, AT, 0), AT, liar.length);
        assertTrue(d.valid());
        assertEquals(30, d.length());
        assertEquals(51234, d.sourcePort());
        assertEquals(ABSENT, d.tcpFlags(), "a TCP header needs 20 bytes");
    }

    @Test
    void ipv6PayloadLengthThatLiesDownwardsClipsThePacket() {
        byte[] ip = GoldenFrame.IPV6_TCP_SYN.ip();
        byte[] liar = Packets.withShort(ip, 4, 2);
        Datagram d = new Datagram().wrap(GoldenFrame.place(liar, AT, 0), AT, liar.length);
        assertTrue(d.valid());
        assertEquals(42, d.length());
        assertEquals(ABSENT, d.sourcePort(), "two bytes are not enough for the ports");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15})
    void versionOtherThanFourOrSixIsInvalid(int version) {
        for (GoldenFrame frame : new GoldenFrame[] {GoldenFrame.IPV4_TCP_SYN, GoldenFrame.IPV6_TCP_SYN}) {
            byte[] ip = frame.ip();
            ip[0] = (byte) (version << 4 | (ip[0] & 0x0F));
            Datagram d = new Datagram().wrap(GoldenFrame.place(ip, AT, 0), AT, ip.length);
            assertInvalid(d, frame + " as version " + version);
            assertEquals(0, d.sourceV4());
            assertEquals(0, d.destinationV4());
            assertFalse(d.isFragment());
        }
    }

    @Test
    void versionFieldDecidesTheFamily() {
        // An IPv6 packet labelled 4 is read as IPv4 and the other way round: neither survives here.
        byte[] six = GoldenFrame.IPV6_TCP_SYN.ip();
        six[0] = 0x45;
        assertFalse(new Datagram().wrap(ByteBuffer.wrap(six), 0, six.length).valid(), "an IPv6 header as IPv4: total length 0");
        byte[] four = GoldenFrame.IPV4_TCP_SYN.ip();
        four[0] = 0x65;
        assertFalse(new Datagram().wrap(ByteBuffer.wrap(four), 0, four.length).valid(), "an IPv4 header as IPv6: payload 7238");
    }

    @Test
    void badArgumentsGiveAnInvalidViewNotAnException() {
        byte[] ip = GoldenFrame.IPV4_TCP_SYN.ip();
        ByteBuffer buffer = GoldenFrame.place(ip, AT, 0);   // capacity AT + 60
        Datagram d = new Datagram();
        assertInvalid(d.wrap(buffer, AT, 0), "length 0");
        assertInvalid(d.wrap(buffer, AT, -1), "negative length");
        assertInvalid(d.wrap(buffer, AT, Integer.MIN_VALUE), "very negative length");
        assertInvalid(d.wrap(buffer, -1, ip.length), "negative offset");
        assertInvalid(d.wrap(buffer, Integer.MIN_VALUE, ip.length), "very negative offset");
        assertInvalid(d.wrap(buffer, AT, ip.length + 1), "one byte past the end");
        assertInvalid(d.wrap(buffer, AT + ip.length, 1), "offset at the end");
        assertInvalid(d.wrap(buffer, AT + ip.length + 1, 1), "offset past the end");
        assertInvalid(d.wrap(buffer, Integer.MAX_VALUE, 1), "huge offset");
        // offset + length overflows int: must not pass the bounds check.
        assertInvalid(d.wrap(buffer, AT, Integer.MAX_VALUE), "huge length");
        assertInvalid(d.wrap(buffer, Integer.MAX_VALUE, Integer.MAX_VALUE), "huge offset and length");
        assertTrue(d.wrap(buffer, AT, ip.length).valid(), "and the right arguments still work");
        assertInvalid(d.wrap(ByteBuffer.allocate(0), 0, 0), "empty buffer");
    }

    @Test
    void lengthPastTheLimitIsInvalidNotAnException() {
        // Absolute reads are bounded by the limit, not the capacity: a length that runs past the
        // limit must be refused up front (it used to be checked against the capacity).
        byte[] ip = GoldenFrame.IPV4_TCP_SYN.ip();
        ByteBuffer buffer = GoldenFrame.place(ip, AT, 40);
        buffer.limit(AT + 30);
        Datagram d = new Datagram().wrap(buffer, AT, ip.length);
        assertInvalid(d, "a packet beyond the limit");
        Snapshot.of(d);   // no accessor throws either
        buffer.limit(AT + ip.length);
        assertTrue(new Datagram().wrap(buffer, AT, ip.length).valid(), "limit exactly at the end of the packet");
        buffer.limit(AT + ip.length - 1);
        assertInvalid(new Datagram().wrap(buffer, AT, ip.length), "limit one byte short");
    }

    @ParameterizedTest
    @EnumSource(GoldenFrame.class)
    void bufferStateAndContentAreUntouched(GoldenFrame frame) {
        byte[] ip = frame.ip();
        ByteBuffer buffer = GoldenFrame.place(ip, 20, 20);
        buffer.position(7).limit(buffer.capacity() - 3).mark();
        byte[] before = buffer.array().clone();
        Datagram d = new Datagram().wrap(buffer, 20, ip.length);
        Snapshot.of(d);
        assertEquals(7, buffer.position());
        assertEquals(buffer.capacity() - 3, buffer.limit());
        assertEquals(ByteOrder.BIG_ENDIAN, buffer.order());
        buffer.reset();
        assertEquals(7, buffer.position(), "the mark survives");
        assertArrayEquals(before, buffer.array());
    }

    @ParameterizedTest
    @EnumSource(GoldenFrame.class)
    void packetsOutsideThePositionLimitWindowAreStillRead(GoldenFrame frame) {
        // Absolute indexes: position does not matter (a receive loop may have consumed the buffer).
        byte[] ip = frame.ip();
        ByteBuffer buffer = GoldenFrame.place(ip, AT, 8);
        Snapshot reference = fresh(buffer, AT, ip.length);
        buffer.position(buffer.limit());
        assertEquals(reference, fresh(buffer, AT, ip.length));
    }

    @ParameterizedTest
    @EnumSource(GoldenFrame.class)
    void readOnlyAndDirectBuffersGiveTheSameAnswer(GoldenFrame frame) {
        byte[] ip = frame.ip();
        ByteBuffer heap = GoldenFrame.place(ip, AT, 8);
        Snapshot reference = fresh(heap, AT, ip.length);
        assertEquals(reference, fresh(heap.asReadOnlyBuffer(), AT, ip.length), "read-only");
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.capacity());
        direct.put(heap.duplicate()).clear();
        assertEquals(reference, fresh(direct, AT, ip.length), "direct");
    }

    /**
     * Packets are in network order whatever order the buffer is set to (a link may have switched
     * its buffer to little-endian to read a virtio-net header in the headroom).
     */
    @ParameterizedTest
    @EnumSource(GoldenFrame.class)
    void bothByteOrdersGiveTheSameAnswer(GoldenFrame frame) {
        byte[] ip = frame.ip();
        ByteBuffer big = GoldenFrame.place(ip, AT, 8);
        ByteBuffer little = GoldenFrame.place(ip, AT, 8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer littleDirect = ByteBuffer.allocateDirect(big.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        littleDirect.put(big.duplicate()).clear();
        Snapshot reference = fresh(big, AT, ip.length);
        assertTrue(reference.valid());
        assertEquals(reference, fresh(little, AT, ip.length), "little-endian heap buffer");
        assertEquals(reference, fresh(littleDirect, AT, ip.length), "little-endian direct buffer");
        assertEquals(ByteOrder.LITTLE_ENDIAN, little.order(), "the order is left alone");
    }

    @Test
    void byteOrderDoesNotLeakIntoTheFields() {
        Datagram d = new Datagram().wrap(
                GoldenFrame.place(GoldenFrame.IPV6_FRAG_FIRST.ip(), AT, 0).order(ByteOrder.LITTLE_ENDIAN), AT, 64);
        assertEquals(0xDEAD_BEEFL, d.fragmentId());
        assertEquals(40002, d.sourcePort());
        assertEquals(0x2001_0DB8_0000_0000L, d.sourceHigh());
        Datagram v4 = new Datagram().wrap(
                GoldenFrame.place(GoldenFrame.IPV4_TCP_SYN.ip(), AT, 0).order(ByteOrder.LITTLE_ENDIAN), AT, 60);
        assertEquals(0xCB00_71C8L, v4.sourceKey());
        assertEquals(0x0000_FFFF_0A00_000AL, v4.destinationLow());
    }

    @Test
    void oneInstanceReusedAcrossPacketsKeepsNoStaleFields() {
        List<ByteBuffer> buffers = new ArrayList<>();
        List<int[]> regions = new ArrayList<>();
        for (GoldenFrame frame : GoldenFrame.values()) {
            byte[] ip = frame.ip();
            buffers.add(GoldenFrame.place(ip, AT, 4));
            regions.add(new int[] {AT, ip.length + 4});
            // And the same packet cut short, which must be invalid whatever came before.
            buffers.add(GoldenFrame.place(Arrays.copyOf(ip, ip.length / 2), AT, 0));
            regions.add(new int[] {AT, ip.length / 2});
        }
        buffers.add(ByteBuffer.allocate(100));                     // all zeros: version 0
        regions.add(new int[] {0, 100});
        buffers.add(ByteBuffer.wrap(Packets.ipv6(59, new byte[0])));   // no next header
        regions.add(new int[] {0, 40});
        List<Snapshot> expected = new ArrayList<>();
        for (int i = 0; i < buffers.size(); i++) {
            expected.add(fresh(buffers.get(i), regions.get(i)[0], regions.get(i)[1]));
        }
        Datagram reused = new Datagram();
        for (int i = 0; i < buffers.size(); i++) {
            for (int j = 0; j < buffers.size(); j++) {
                reused.wrap(buffers.get(i), regions.get(i)[0], regions.get(i)[1]);
                Snapshot.of(reused);
                reused.wrap(buffers.get(j), regions.get(j)[0], regions.get(j)[1]);
                assertEquals(expected.get(j), Snapshot.of(reused), "packet " + j + " after packet " + i);
            }
        }
    }

    @Test
    void freshInstanceIsInvalidAndSafe() {
        Datagram d = new Datagram();
        assertFalse(d.valid());
        assertEquals(0, d.version());
        assertEquals(0, d.length());
        assertFalse(d.isFragment());
    }
}
