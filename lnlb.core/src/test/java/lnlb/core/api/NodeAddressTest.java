package lnlb.core.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class NodeAddressTest {
    private static final long CLUSTER_MAC = 0x0200_0A00_000AL;

    @Test
    void noneIsMinusOneAndNotValid() {
        assertEquals(-1L, NodeAddress.NONE);
        assertFalse(NodeAddress.isValid(NodeAddress.NONE));
        assertEquals("none", NodeAddress.format(NodeAddress.NONE));
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 0x0200_0A00_000AL, 0x8000_0000_0000L, 0xFFFF_FFFF_FFFFL})
    void fortyEightBitValuesAreValid(long mac) {
        assertTrue(NodeAddress.isValid(mac));
    }

    @ParameterizedTest
    @ValueSource(longs = {-1L, 1L << 48, 0x1_0000_0000_0001L, Long.MIN_VALUE, Long.MAX_VALUE, -2L, 0xFFFF_0000_0000_0000L})
    void widerValuesAreNotValid(long mac) {
        assertFalse(NodeAddress.isValid(mac));
        assertEquals("none", NodeAddress.format(mac));
    }

    @ParameterizedTest
    @CsvSource({
        "0x02000a00000a, 02:00:0a:00:00:0a",
        "0x000000000000, 00:00:00:00:00:00",
        "0xffffffffffff, ff:ff:ff:ff:ff:ff",
        "0x525400123456, 52:54:00:12:34:56",
        "0x0123456789ab, 01:23:45:67:89:ab",
        "0x800000000001, 80:00:00:00:00:01"})
    void formatIsLowerCaseColonSeparated(String hex, String text) {
        long mac = Long.decode(hex);
        assertEquals(text, NodeAddress.format(mac));
        assertEquals(mac, NodeAddress.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "02:00:0a:00:00:0a", "02:00:0A:00:00:0A", "02-00-0a-00-00-0a", "02-00-0A-00-00-0a",
        "  02:00:0a:00:00:0a\t", "\n02:00:0a:00:00:0a\n", "2:0:a:0:0:a", "02:0:0a:0:00:a"})
    void parseAcceptsCaseDashesSurroundingBlanksAndShortOctets(String text) {
        assertEquals(CLUSTER_MAC, NodeAddress.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "none", "02:00:0a:00:00", "02:00:0a:00:00:0a:0b", "020:00:0a:00:00:0a",
        "02:00:0a:00:00:0g", "02::0a:00:00:0a", ":02:00:0a:00:00:0a", "02:00:0a:00:00:",
        "02 00 0a 00 00 0a", "02.00.0a.00.00.0a", "02000a00000a", "0x2:00:0a:00:00:0a",
        "02:00:0a:00 :00:0a", "02:00:0a:00:00:0a:", "02:00:0a:00:00:0a::", "02:00:0a:00:00:0a-",
        "+2:00:0a:00:00:0a", "02:00:+a:00:00:0a", "\u0662:00:0a:00:00:0a", "\uff10\uff12:00:0a:00:00:0a",
        "10.0.0.10", "::1", ":::::"})
    void parseRejectsAnythingElse(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeAddress.parse(text));
        assertTrue(e.getMessage().contains(text), "the message quotes the input: " + e.getMessage());
    }

    @Test
    void formatParseRoundTrip() {
        SplittableRandom random = new SplittableRandom(48);
        for (int i = 0; i < 10_000; i++) {
            long mac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
            String text = NodeAddress.format(mac);
            assertEquals(17, text.length());
            assertEquals(mac, NodeAddress.parse(text));
            assertEquals(mac, NodeAddress.parse(text.toUpperCase().replace(':', '-')));
        }
    }

    @Test
    void parseFormatNormalises() {
        assertEquals("ab:cd:ef:01:02:03", NodeAddress.format(NodeAddress.parse(" AB-cd-EF-1-2-3 ")));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 3, 7, 10})
    void writeThenReadAtAnOffset(int offset) {
        ByteBuffer buffer = ByteBuffer.allocate(offset + 6 + 5);
        Arrays.fill(buffer.array(), (byte) 0xA5);
        buffer.position(2).limit(buffer.capacity() - 1);
        NodeAddress.write(buffer, offset, 0x0123_4567_89ABL);
        byte[] expected = new byte[buffer.capacity()];
        Arrays.fill(expected, (byte) 0xA5);
        System.arraycopy(new byte[] {0x01, 0x23, 0x45, 0x67, (byte) 0x89, (byte) 0xAB}, 0, expected, offset, 6);
        assertArrayEquals(expected, buffer.array(), "six bytes in network order, nothing around them");
        assertEquals(0x0123_4567_89ABL, NodeAddress.read(buffer, offset));
        assertEquals(2, buffer.position());
        assertEquals(buffer.capacity() - 1, buffer.limit());
    }

    @Test
    void readIsUnsigned() {
        ByteBuffer buffer = ByteBuffer.allocate(8);
        Arrays.fill(buffer.array(), (byte) 0xFF);
        assertEquals(0xFFFF_FFFF_FFFFL, NodeAddress.read(buffer, 1));
        assertTrue(NodeAddress.isValid(NodeAddress.read(buffer, 2)));
        buffer.put(3, (byte) 0x80);
        assertEquals(0xFF80_FFFF_FFFFL, NodeAddress.read(buffer, 2));
    }

    @Test
    void readTheAddressesOfAGoldenFrame() {
        ByteBuffer buffer = GoldenFrame.place(GoldenFrame.IPV4_TCP_SYN.frame(), 9, 0);
        assertEquals(CLUSTER_MAC, NodeAddress.read(buffer, 9), "destination");
        assertEquals(0x5254_0012_3456L, NodeAddress.read(buffer, 9 + 6), "source");
        assertEquals(0, buffer.position());
    }

    @ParameterizedTest
    @EnumSource(value = Order.class)
    void networkOrderWhateverTheBufferOrder(Order order) {
        ByteBuffer buffer = order.allocate(12);
        NodeAddress.write(buffer, 3, CLUSTER_MAC);
        byte[] written = new byte[6];
        for (int i = 0; i < 6; i++) {
            written[i] = buffer.get(3 + i);
        }
        assertArrayEquals(new byte[] {2, 0, 10, 0, 0, 10}, written);
        assertEquals(CLUSTER_MAC, NodeAddress.read(buffer, 3));
        assertEquals(order.order, buffer.order());
    }

    enum Order {
        BIG_HEAP(ByteOrder.BIG_ENDIAN, false),
        LITTLE_HEAP(ByteOrder.LITTLE_ENDIAN, false),
        BIG_DIRECT(ByteOrder.BIG_ENDIAN, true),
        LITTLE_DIRECT(ByteOrder.LITTLE_ENDIAN, true);

        final ByteOrder order;
        final boolean direct;

        Order(ByteOrder order, boolean direct) {
            this.order = order;
            this.direct = direct;
        }

        ByteBuffer allocate(int capacity) {
            return (direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity)).order(order);
        }
    }

    @Test
    void readAndWriteOutsideTheBufferThrow() {
        // Unlike Datagram, these are not fed by the network: a bad index is a programming error.
        ByteBuffer buffer = ByteBuffer.allocate(8);
        assertThrows(IndexOutOfBoundsException.class, () -> NodeAddress.read(buffer, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> NodeAddress.read(buffer, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> NodeAddress.write(buffer, 3, CLUSTER_MAC));
        assertThrows(IndexOutOfBoundsException.class, () -> NodeAddress.write(buffer, -1, CLUSTER_MAC));
        buffer.limit(6);
        assertThrows(IndexOutOfBoundsException.class, () -> NodeAddress.read(buffer, 1), "bounded by the limit");
    }

    @Test
    void unicastClusterMacOfAnIpv4Vip() throws UnknownHostException {
        long mac = NodeAddress.unicastClusterMac(InetAddress.getByName("10.0.0.10"));
        assertEquals(CLUSTER_MAC, mac);
        assertEquals("02:00:0a:00:00:0a", NodeAddress.format(mac));
        assertTrue(NodeAddress.isValid(mac));
    }

    @ParameterizedTest
    @CsvSource({
        "10.0.0.10, 02:00:0a:00:00:0a",
        "192.168.1.200, 02:00:c0:a8:01:c8",
        "255.255.255.255, 02:00:ff:ff:ff:ff",
        "0.0.0.0, 02:00:00:00:00:00",
        "172.16.128.1, 02:00:ac:10:80:01",
        "2001:db8::c0a8:1c8, 02:00:c0:a8:01:c8",
        "2001:db8::ffff:ffff, 02:00:ff:ff:ff:ff",
        "::ffff:10.0.0.10, 02:00:0a:00:00:0a"})
    void unicastClusterMacIsLocallyAdministeredAndUnicast(String vip, String expected) throws UnknownHostException {
        long mac = NodeAddress.unicastClusterMac(InetAddress.getByName(vip));
        assertEquals(expected, NodeAddress.format(mac));
        int firstOctet = (int) (mac >>> 40);
        assertEquals(0x02, firstOctet & 0x03, "locally administered (bit 1), unicast (bit 0 clear)");
    }
}
