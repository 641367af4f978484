package lnlb.core.api;

import static lnlb.core.api.Datagram.ABSENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Datagram} over IPv6: golden frames wrapped inside larger buffers, plus synthetic packets. */
class DatagramIpv6Test {
    private static final long DOCUMENTATION_PREFIX = 0x2001_0DB8_0000_0000L;

    private final Datagram datagram = new Datagram();

    private Datagram wrapFrame(GoldenFrame frame, int frameAt) {
        ByteBuffer buffer = GoldenFrame.place(frame.frame(), frameAt, 5);
        return datagram.wrap(buffer, frameAt + GoldenFrame.ETHERNET_HEADER, frame.ethernetPayloadLength());
    }

    private Datagram wrapPacket(byte[] packet) {
        return datagram.wrap(GoldenFrame.place(packet, 13, 3), 13, packet.length);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 517})
    void tcpSyn(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV6_TCP_SYN, frameAt);
        assertTrue(d.valid());
        assertEquals(6, d.version());
        assertEquals(Datagram.PROTOCOL_TCP, d.protocol());
        assertEquals(64, d.length());
        assertEquals(DOCUMENTATION_PREFIX, d.sourceHigh(), "2001:db8::33");
        assertEquals(0x33L, d.sourceLow());
        assertEquals(DOCUMENTATION_PREFIX, d.destinationHigh(), "2001:db8::10");
        assertEquals(0x10L, d.destinationLow());
        assertEquals(0, d.sourceV4(), "no IPv4 address");
        assertEquals(0, d.destinationV4());
        assertEquals(40000, d.sourcePort());
        assertEquals(80, d.destinationPort());
        assertEquals(Datagram.TCP_SYN, d.tcpFlags());
        assertEquals(frameAt + GoldenFrame.ETHERNET_HEADER + 40, d.transportOffset());
        assertFalse(d.isFragment());
        assertFalse(d.isFirstFragment());
        assertEquals(0, d.fragmentOffset());
        assertFalse(d.moreFragments());
        assertEquals(0L, d.fragmentId(), "no fragment header");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2})
    void udp(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV6_UDP, frameAt);
        assertTrue(d.valid());
        assertEquals(Datagram.PROTOCOL_UDP, d.protocol());
        assertEquals(56, d.length());
        assertEquals(5353, d.sourcePort());
        assertEquals(53, d.destinationPort());
        assertEquals(ABSENT, d.tcpFlags());
    }

    @Test
    void ethernetPaddingIsClipped() {
        byte[] packet = GoldenFrame.IPV6_UDP.ip();
        Datagram d = datagram.wrap(GoldenFrame.place(packet, 3, 30), 3, packet.length + 30);
        assertTrue(d.valid());
        assertEquals(56, d.length());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 71})
    void tcpBehindHopByHopDestinationOptionsAndRouting(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV6_EXT_CHAIN, frameAt);
        assertTrue(d.valid());
        assertEquals(6, d.version());
        assertEquals(120, d.length());
        assertEquals(Datagram.PROTOCOL_TCP, d.protocol(), "the upper-layer protocol, not the first next header");
        assertEquals(0x2001_0DB8_0001_0002L, d.sourceHigh(), "2001:db8:1:2:3:4:5:6");
        assertEquals(0x0003_0004_0005_0006L, d.sourceLow());
        // 40 + hop-by-hop 8 + destination options 16 + routing 24 + destination options 8
        assertEquals(frameAt + GoldenFrame.ETHERNET_HEADER + 96, d.transportOffset());
        assertEquals(55555, d.sourcePort());
        assertEquals(8080, d.destinationPort());
        assertEquals(Datagram.TCP_FIN | Datagram.TCP_ACK, d.tcpFlags());
        assertFalse(d.isFragment());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 6})
    void firstFragmentCarriesThePorts(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV6_FRAG_FIRST, frameAt);
        assertTrue(d.valid());
        assertTrue(d.isFragment());
        assertTrue(d.isFirstFragment());
        assertTrue(d.moreFragments());
        assertEquals(0, d.fragmentOffset());
        assertEquals(0xDEAD_BEEFL, d.fragmentId(), "32 bits, not sign-extended");
        assertEquals(Datagram.PROTOCOL_UDP, d.protocol());
        assertEquals(frameAt + GoldenFrame.ETHERNET_HEADER + 48, d.transportOffset());
        assertEquals(40002, d.sourcePort());
        assertEquals(53, d.destinationPort());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 6})
    void lastFragmentHasNoPorts(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV6_FRAG_LAST, frameAt);
        assertTrue(d.valid());
        assertTrue(d.isFragment());
        assertFalse(d.isFirstFragment());
        assertFalse(d.moreFragments());
        assertEquals(16, d.fragmentOffset());
        assertEquals(0xDEAD_BEEFL, d.fragmentId());
        assertEquals(Datagram.PROTOCOL_UDP, d.protocol());
        // The fragment data starts 1f 90 00 50, which would read as ports 8080 -> 80.
        assertEquals(ABSENT, d.sourcePort());
        assertEquals(ABSENT, d.destinationPort());
        assertEquals(ABSENT, d.transportOffset());
        assertEquals(ABSENT, d.tcpFlags());
    }

    /**
     * Regression: after the fragment header of a non-first fragment comes fragment data, not more
     * headers. The parser used to walk on into the data when the fragment header's next header was
     * an extension header (here destination options, which RFC 8200 places in the fragmentable
     * part): this frame's data then "contained" a fragment header at offset 0 and ports 8080 -> 80.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 6})
    void nonFirstFragmentIsNotParsedPastItsFragmentHeader(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV6_FRAG_NONFIRST_DSTOPTS, frameAt);
        assertTrue(d.valid());
        assertTrue(d.isFragment());
        assertFalse(d.isFirstFragment());
        assertEquals(8, d.fragmentOffset());
        assertFalse(d.moreFragments());
        assertEquals(0x0BAD_F00DL, d.fragmentId());
        assertEquals(Datagram.IPV6_DESTINATION_OPTIONS, d.protocol(), "the fragment header's next header");
        assertEquals(ABSENT, d.transportOffset());
        assertEquals(ABSENT, d.sourcePort());
        assertEquals(ABSENT, d.destinationPort());
    }

    @Test
    void nonFirstFragmentWhoseDataLooksLikeAHugeHeaderIsStillValid() {
        // Regression: data "06 ff ..." used to be read as a 2 KiB destination-options header,
        // which made a good fragment invalid.
        byte[] data = new byte[16];
        data[0] = 6;
        data[1] = (byte) 0xFF;
        byte[] packet = Packets.ipv6(Datagram.IPV6_FRAGMENT,
                Packets.concat(Packets.fragment(Datagram.IPV6_DESTINATION_OPTIONS, 1232, true, 42), data));
        Datagram d = wrapPacket(packet);
        assertTrue(d.valid());
        assertEquals(1232, d.fragmentOffset());
        assertTrue(d.moreFragments());
        assertEquals(42L, d.fragmentId());
        assertEquals(ABSENT, d.sourcePort());
    }

    @Test
    void fragmentOffsetIgnoresTheReservedBits() {
        byte[] fragment = Packets.fragment(Datagram.PROTOCOL_UDP, 0xFFF8, false, -1);
        fragment[1] = (byte) 0xFF;     // reserved byte
        fragment[3] |= 0x06;           // the two reserved bits next to M
        Datagram d = wrapPacket(Packets.ipv6(Datagram.IPV6_FRAGMENT, Packets.concat(fragment, new byte[8])));
        assertTrue(d.valid());
        assertEquals(0xFFF8, d.fragmentOffset());
        assertFalse(d.moreFragments());
        assertEquals(0xFFFF_FFFFL, d.fragmentId());
    }

    @Test
    void atomicFragmentIsAFirstFragment() {
        // RFC 6946: offset 0 and M = 0.
        byte[] packet = Packets.ipv6(Datagram.IPV6_FRAGMENT,
                Packets.concat(Packets.fragment(Datagram.PROTOCOL_TCP, 0, false, 5), Packets.tcp(7, 8, Datagram.TCP_ACK)));
        Datagram d = wrapPacket(packet);
        assertTrue(d.valid());
        assertTrue(d.isFragment());
        assertTrue(d.isFirstFragment());
        assertFalse(d.moreFragments());
        assertEquals(7, d.sourcePort());
        assertEquals(Datagram.TCP_ACK, d.tcpFlags());
    }

    @Test
    void firstFragmentBehindExtensionHeadersWithMoreHeadersAfterIt() {
        byte[] payload = Packets.concat(
                Packets.extension(Datagram.IPV6_FRAGMENT, 8),
                Packets.fragment(Datagram.IPV6_DESTINATION_OPTIONS, 0, true, 0x0102_0304),
                Packets.extension(Datagram.PROTOCOL_UDP, 16),
                Packets.udp(123, 456, 4));
        Datagram d = wrapPacket(Packets.ipv6(Datagram.IPV6_HOP_BY_HOP, payload));
        assertTrue(d.valid());
        assertTrue(d.isFirstFragment());
        assertEquals(0x0102_0304L, d.fragmentId());
        assertEquals(Datagram.PROTOCOL_UDP, d.protocol());
        assertEquals(d.offset() + 40 + 8 + 8 + 16, d.transportOffset());
        assertEquals(123, d.sourcePort());
        assertEquals(456, d.destinationPort());
    }

    /** A chain of {@code count} extension headers (hop-by-hop, then routing and destination options) before UDP. */
    private static byte[] chain(int count) {
        int[] types = new int[count + 1];
        for (int i = 0; i < count; i++) {
            types[i] = i == 0 ? Datagram.IPV6_HOP_BY_HOP : i % 2 == 0 ? Datagram.IPV6_ROUTING : Datagram.IPV6_DESTINATION_OPTIONS;
        }
        types[count] = Datagram.PROTOCOL_UDP;
        byte[] payload = new byte[0];
        for (int i = count - 1; i >= 0; i--) {
            payload = Packets.concat(Packets.extension(types[i + 1], 8 * (1 + i % 3)), payload);
        }
        payload = Packets.concat(payload, Packets.udp(1000, 2000, 0));
        return Packets.ipv6(types[0], payload);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8})
    void upToEightExtensionHeadersAreWalked(int count) {
        Datagram d = wrapPacket(chain(count));
        assertTrue(d.valid(), count + " extension headers");
        assertEquals(Datagram.PROTOCOL_UDP, d.protocol());
        assertEquals(1000, d.sourcePort());
        assertEquals(2000, d.destinationPort());
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 10, 50, 200})
    void tooManyExtensionHeadersAreInvalid(int count) {
        Datagram d = wrapPacket(chain(count));
        assertFalse(d.valid(), count + " extension headers");
        assertEquals(0, d.version());
        assertEquals(ABSENT, d.protocol());
        assertEquals(ABSENT, d.sourcePort());
        assertEquals(ABSENT, d.transportOffset());
    }

    @Test
    void fragmentHeaderCountsTowardsTheLimit() {
        byte[] eight = Packets.ipv6(Datagram.IPV6_DESTINATION_OPTIONS, Packets.concat(
                Packets.extension(60, 8), Packets.extension(60, 8), Packets.extension(60, 8), Packets.extension(60, 8),
                Packets.extension(60, 8), Packets.extension(60, 8), Packets.extension(44, 8),
                Packets.fragment(Datagram.PROTOCOL_UDP, 0, true, 1), Packets.udp(1, 2, 0)));
        assertTrue(wrapPacket(eight).valid());
        byte[] nine = Packets.ipv6(Datagram.IPV6_DESTINATION_OPTIONS, Packets.concat(
                Packets.extension(60, 8), Packets.extension(60, 8), Packets.extension(60, 8), Packets.extension(60, 8),
                Packets.extension(60, 8), Packets.extension(60, 8), Packets.extension(60, 8), Packets.extension(44, 8),
                Packets.fragment(Datagram.PROTOCOL_UDP, 0, true, 1), Packets.udp(1, 2, 0)));
        assertFalse(wrapPacket(nine).valid());
    }

    @Test
    void noNextHeaderIsValidWithoutTransport() {
        Datagram d = wrapPacket(Packets.ipv6(Datagram.IPV6_NO_NEXT_HEADER, new byte[12]));
        assertTrue(d.valid());
        assertEquals(Datagram.IPV6_NO_NEXT_HEADER, d.protocol());
        assertEquals(ABSENT, d.transportOffset());
        assertEquals(ABSENT, d.sourcePort());
        assertEquals(ABSENT, d.tcpFlags());
    }

    @Test
    void icmpv6HasNoPorts() {
        Datagram d = wrapPacket(Packets.ipv6(Datagram.PROTOCOL_ICMPV6, new byte[] {(byte) 128, 0, 0, 0, 0, 1, 0, 1}));
        assertTrue(d.valid());
        assertEquals(Datagram.PROTOCOL_ICMPV6, d.protocol());
        assertEquals(d.offset() + 40, d.transportOffset());
        assertEquals(ABSENT, d.sourcePort());
    }

    @Test
    void emptyPayloadIsValidWithoutPorts() {
        Datagram d = wrapPacket(Packets.ipv6(Datagram.PROTOCOL_TCP, new byte[0]));
        assertTrue(d.valid());
        assertEquals(40, d.length());
        assertEquals(ABSENT, d.sourcePort());
        assertEquals(ABSENT, d.tcpFlags());
    }

    @Test
    void transportHeaderCutByThePayloadLength() {
        byte[] tcp = Packets.tcp(4444, 80, Datagram.TCP_SYN | Datagram.TCP_ACK);
        byte[] options = Packets.extension(Datagram.PROTOCOL_TCP, 8);
        for (int present = 0; present <= tcp.length; present++) {
            byte[] packet = Packets.ipv6(Datagram.IPV6_DESTINATION_OPTIONS, Packets.concat(options, Arrays.copyOf(tcp, present)));
            Datagram d = wrapPacket(packet);
            String at = present + " bytes of TCP";
            assertTrue(d.valid(), at);
            assertEquals(48 + present, d.length(), at);
            assertEquals(present >= 4 ? 4444 : ABSENT, d.sourcePort(), at);
            assertEquals(present >= 4 ? 80 : ABSENT, d.destinationPort(), at);
            assertEquals(present >= 20 ? Datagram.TCP_SYN | Datagram.TCP_ACK : ABSENT, d.tcpFlags(), at);
        }
    }

    @Test
    void extensionHeaderCutByThePayloadLengthIsInvalid() {
        byte[] chain = GoldenFrame.IPV6_EXT_CHAIN.ip();
        // The headers end at 96; every payload length that stops inside them lies about the chain.
        for (int end = 40; end < 96; end++) {
            byte[] cut = Packets.withShort(Arrays.copyOf(chain, end), 4, end - 40);
            Datagram d = wrapPacket(cut);
            assertFalse(d.valid(), "packet cut at " + end);
            assertEquals(0, d.version(), "packet cut at " + end);
        }
        for (int end = 96; end <= chain.length; end++) {
            byte[] cut = Packets.withShort(Arrays.copyOf(chain, end), 4, end - 40);
            Datagram d = wrapPacket(cut);
            assertTrue(d.valid(), "packet cut at " + end);
            assertEquals(end - 96 >= 4 ? 55555 : ABSENT, d.sourcePort(), "packet cut at " + end);
            assertEquals(end - 96 >= 20 ? Datagram.TCP_FIN | Datagram.TCP_ACK : ABSENT, d.tcpFlags(), "packet cut at " + end);
        }
    }

    @Test
    void extensionHeaderLongerThanThePayloadIsInvalid() {
        byte[] header = Packets.extension(Datagram.PROTOCOL_UDP, 8);
        header[1] = 3;   // claims 32 bytes
        Datagram d = wrapPacket(Packets.ipv6(Datagram.IPV6_HOP_BY_HOP, Packets.concat(header, new byte[8])));
        assertFalse(d.valid());
    }

    @Test
    void fragmentHeaderCutByThePayloadLengthIsInvalid() {
        for (int present = 0; present < 8; present++) {
            byte[] fragment = Arrays.copyOf(Packets.fragment(Datagram.PROTOCOL_UDP, 0, true, 1), present);
            assertFalse(wrapPacket(Packets.ipv6(Datagram.IPV6_FRAGMENT, fragment)).valid(), present + " bytes");
        }
    }

    @Test
    void sourceKeyTestVectors() {
        // high * 0x9E3779B97F4A7C15 ^ low, computed independently (Python, mod 2^64).
        assertEquals(0x61EB_4018_0000_0033L, wrapFrame(GoldenFrame.IPV6_TCP_SYN, 4).sourceKey(), "2001:db8::33");
        assertEquals(0x1810_B2D1_7AAC_F82CL, wrapFrame(GoldenFrame.IPV6_EXT_CHAIN, 4).sourceKey(), "2001:db8:1:2:3:4:5:6");
        byte[] loopback = Packets.ipv6(Datagram.PROTOCOL_UDP, Packets.v6(0, 1), Packets.udp(1, 2, 0));
        assertEquals(1L, wrapPacket(loopback).sourceKey(), "::1");
    }

    @Test
    void sourceKeyIsDeterministicAndIgnoresEverythingButTheSource() {
        long tcp = wrapFrame(GoldenFrame.IPV6_TCP_SYN, 0).sourceKey();
        assertEquals(tcp, new Datagram().wrap(GoldenFrame.place(GoldenFrame.IPV6_TCP_SYN.ip(), 99, 0), 99, 64).sourceKey());
        // Same source, other protocol, ports, payload and fragment state.
        assertEquals(tcp, wrapFrame(GoldenFrame.IPV6_UDP, 3).sourceKey());
        assertEquals(tcp, wrapFrame(GoldenFrame.IPV6_FRAG_FIRST, 3).sourceKey());
        assertEquals(tcp, wrapFrame(GoldenFrame.IPV6_FRAG_LAST, 3).sourceKey());
    }

    @Test
    void sourceKeyDiffersForDifferentSources() {
        Set<Long> keys = new HashSet<>();
        long[][] sources = {
            {DOCUMENTATION_PREFIX, 0x33}, {DOCUMENTATION_PREFIX, 0x34}, {DOCUMENTATION_PREFIX | 1, 0x33},
            {DOCUMENTATION_PREFIX | 0x0001_0000L, 0x33}, {0, 0x33}, {0, 0x34}, {0xFE80_0000_0000_0000L, 0x33},
            {-1L, -1L}, {-1L, 0}, {0, -1L}, {0, 0x0000_FFFF_0A00_0001L},
        };
        for (long[] source : sources) {
            byte[] packet = Packets.ipv6(Datagram.PROTOCOL_UDP, Packets.v6(source[0], source[1]), Packets.udp(1, 2, 0));
            Datagram d = wrapPacket(packet);
            assertEquals(source[0], d.sourceHigh());
            assertEquals(source[1], d.sourceLow());
            keys.add(d.sourceKey());
        }
        assertEquals(sources.length, keys.size(), "every source address has its own key");
        // Many addresses in one /64 (the low half varies) and many /64s (the high half varies).
        Set<Long> spread = new HashSet<>();
        for (long i = 0; i < 1000; i++) {
            spread.add(wrapPacket(Packets.ipv6(17, Packets.v6(DOCUMENTATION_PREFIX, i), new byte[0])).sourceKey());
            spread.add(wrapPacket(Packets.ipv6(17, Packets.v6(DOCUMENTATION_PREFIX | i << 16, 0x33), new byte[0])).sourceKey());
        }
        assertEquals(1999, spread.size(), "2001:db8::33 is in both sets once");
    }

    @Test
    void destinationDoesNotChangeTheSourceKey() {
        byte[] packet = Packets.ipv6(Datagram.PROTOCOL_UDP, Packets.udp(1, 2, 0));
        long key = wrapPacket(packet).sourceKey();
        for (int i = 24; i < 40; i++) {
            byte[] other = packet.clone();
            other[i] ^= (byte) 0xFF;
            assertEquals(key, wrapPacket(other).sourceKey());
        }
    }

    @Test
    void trafficClassAndFlowLabelDoNotMatter() {
        byte[] packet = Packets.ipv6(Datagram.PROTOCOL_TCP, Packets.tcp(1, 2, Datagram.TCP_SYN));
        Snapshot plain = Snapshot.of(wrapPacket(packet));
        packet[0] = 0x6F;
        packet[1] = (byte) 0xFF;
        packet[2] = (byte) 0xFF;
        packet[3] = (byte) 0xFF;
        packet[7] = 0;   // hop limit
        assertEquals(plain, Snapshot.of(wrapPacket(packet)));
    }
}
