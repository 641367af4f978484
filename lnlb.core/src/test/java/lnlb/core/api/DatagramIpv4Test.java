package lnlb.core.api;

import static lnlb.core.api.Datagram.ABSENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Datagram} over IPv4: golden frames wrapped inside larger buffers, plus synthetic packets. */
class DatagramIpv4Test {
    private final Datagram datagram = new Datagram();

    /** Places {@code frame} at {@code frameAt} in a larger buffer and wraps its Ethernet payload, padding included. */
    private Datagram wrapFrame(GoldenFrame frame, int frameAt) {
        ByteBuffer buffer = GoldenFrame.place(frame.frame(), frameAt, 9);
        Datagram d = datagram.wrap(buffer, frameAt + GoldenFrame.ETHERNET_HEADER, frame.ethernetPayloadLength());
        assertSame(datagram, d, "wrap returns this");
        assertSame(buffer, d.buffer());
        assertEquals(frameAt + GoldenFrame.ETHERNET_HEADER, d.offset());
        return d;
    }

    private Datagram wrapPacket(byte[] packet) {
        return datagram.wrap(GoldenFrame.place(packet, 11, 7), 11, packet.length);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5, 333})
    void tcpSyn(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV4_TCP_SYN, frameAt);
        int ip = frameAt + GoldenFrame.ETHERNET_HEADER;
        assertTrue(d.valid());
        assertEquals(4, d.version());
        assertEquals(Datagram.PROTOCOL_TCP, d.protocol());
        assertEquals(60, d.length());
        assertEquals(0xCB00_71C8, d.sourceV4(), "203.0.113.200");
        assertEquals(0x0A00_000A, d.destinationV4(), "10.0.0.10");
        assertEquals(51234, d.sourcePort());
        assertEquals(80, d.destinationPort());
        assertEquals(Datagram.TCP_SYN, d.tcpFlags());
        assertEquals(ip + 20, d.transportOffset());
        // DF is set, but DF alone does not make a fragment.
        assertFalse(d.isFragment());
        assertFalse(d.isFirstFragment());
        assertEquals(0, d.fragmentOffset());
        assertFalse(d.moreFragments());
    }

    @Test
    void ipv4AddressesAreIpv4MappedInThe128BitForm() {
        Datagram d = wrapFrame(GoldenFrame.IPV4_TCP_SYN, 3);
        // ::ffff:203.0.113.200 -> ::ffff:10.0.0.10
        assertEquals(0L, d.sourceHigh());
        assertEquals(0x0000_FFFF_CB00_71C8L, d.sourceLow());
        assertEquals(0L, d.destinationHigh());
        assertEquals(0x0000_FFFF_0A00_000AL, d.destinationLow());
    }

    @Test
    void sourceKeyIsTheUnsignedSourceAddress() {
        Datagram d = wrapFrame(GoldenFrame.IPV4_TCP_SYN, 3);
        // 203.0.113.200 has its top bit set: the key must not be sign-extended.
        assertEquals(0xCB00_71C8L, d.sourceKey());
        assertEquals(0x0A00_0001L, wrapPacket(Packets.ipv4(Datagram.PROTOCOL_UDP, Packets.udp(1, 2, 0))).sourceKey());
        byte[] broadcast = Packets.ipv4(Datagram.PROTOCOL_UDP, 0, 1, new byte[] {-1, -1, -1, -1}, new byte[0], Packets.udp(1, 2, 0));
        assertEquals(0xFFFF_FFFFL, wrapPacket(broadcast).sourceKey());
        byte[] zero = Packets.ipv4(Datagram.PROTOCOL_UDP, 0, 1, new byte[4], new byte[0], Packets.udp(1, 2, 0));
        assertEquals(0L, wrapPacket(zero).sourceKey());
    }

    @Test
    void sourceKeyIgnoresEverythingButTheSourceAddress() {
        long syn = wrapFrame(GoldenFrame.IPV4_TCP_SYN, 0).sourceKey();
        byte[] other = Packets.ipv4(Datagram.PROTOCOL_UDP, 0, 99, new byte[] {(byte) 203, 0, 113, (byte) 200}, new byte[0], Packets.udp(7, 8, 3));
        assertEquals(syn, wrapPacket(other).sourceKey());
        byte[] neighbour = Packets.ipv4(Datagram.PROTOCOL_UDP, 0, 99, new byte[] {(byte) 203, 0, 113, (byte) 201}, new byte[0], Packets.udp(7, 8, 3));
        assertEquals(syn + 1, wrapPacket(neighbour).sourceKey());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 64})
    void udpInAPaddedEthernetFrameIsClippedToTheTotalLength(int frameAt) {
        GoldenFrame frame = GoldenFrame.IPV4_UDP_PADDED;
        assertEquals(46, frame.ethernetPayloadLength(), "the fixture carries 14 bytes of padding");
        Datagram d = wrapFrame(frame, frameAt);
        assertTrue(d.valid());
        assertEquals(32, d.length(), "padding is not part of the packet");
        assertEquals(Datagram.PROTOCOL_UDP, d.protocol());
        assertEquals(0xC000_0221, d.sourceV4(), "192.0.2.33");
        assertEquals(5353, d.sourcePort());
        assertEquals(53, d.destinationPort());
        assertEquals(ABSENT, d.tcpFlags(), "not TCP");
        assertEquals(frameAt + GoldenFrame.ETHERNET_HEADER + 20, d.transportOffset());
    }

    @Test
    void paddingOfAnyLengthIsClipped() {
        byte[] packet = GoldenFrame.IPV4_TCP_SYN.ip();
        for (int padding = 0; padding < 100; padding++) {
            ByteBuffer buffer = GoldenFrame.place(packet, 4, padding);
            Datagram d = datagram.wrap(buffer, 4, packet.length + padding);
            assertTrue(d.valid(), "padding " + padding);
            assertEquals(60, d.length(), "padding " + padding);
            assertEquals(51234, d.sourcePort());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7})
    void tcpBehindIpOptions(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV4_TCP_OPTIONS, frameAt);
        assertTrue(d.valid());
        assertEquals(50, d.length());
        assertEquals(0xC633_6407, d.sourceV4(), "198.51.100.7");
        assertEquals(frameAt + GoldenFrame.ETHERNET_HEADER + 24, d.transportOffset(), "IHL 6");
        assertEquals(33000, d.sourcePort());
        assertEquals(443, d.destinationPort());
        assertEquals(Datagram.TCP_PSH | Datagram.TCP_ACK, d.tcpFlags());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7})
    void udpBehindMaximumIpOptions(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV4_UDP_OPTIONS, frameAt);
        assertTrue(d.valid());
        assertEquals(76, d.length());
        assertEquals(frameAt + GoldenFrame.ETHERNET_HEADER + 60, d.transportOffset(), "IHL 15");
        assertEquals(4500, d.sourcePort());
        assertEquals(4500, d.destinationPort());
        assertEquals(ABSENT, d.tcpFlags());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8, 40})
    void tcpFlagsAndPortsBehindSyntheticOptions(int optionBytes) {
        byte[] options = new byte[optionBytes / 4 * 4];
        byte[] packet = Packets.ipv4(Datagram.PROTOCOL_TCP, 0, 1, options, Packets.tcp(1234, 5678, Datagram.TCP_RST | Datagram.TCP_ACK));
        Datagram d = wrapPacket(packet);
        assertTrue(d.valid());
        assertEquals(20 + options.length, d.transportOffset() - d.offset());
        assertEquals(1234, d.sourcePort());
        assertEquals(5678, d.destinationPort());
        assertEquals(Datagram.TCP_RST | Datagram.TCP_ACK, d.tcpFlags());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x01, 0x02, 0x10, 0x12, 0x11, 0x04, 0x18, 0xFF, 0xC2})
    void everyTcpFlagsByteIsReportedUnchanged(int flags) {
        Datagram d = wrapPacket(Packets.ipv4(Datagram.PROTOCOL_TCP, Packets.tcp(1, 2, flags)));
        assertEquals(flags, d.tcpFlags());
    }

    @Test
    void highPortsAreUnsigned() {
        Datagram d = wrapPacket(Packets.ipv4(Datagram.PROTOCOL_UDP, Packets.udp(65535, 32768, 0)));
        assertEquals(65535, d.sourcePort());
        assertEquals(32768, d.destinationPort());
    }

    @ParameterizedTest
    @CsvSource({"6,true", "17,true", "132,true", "136,true", "33,true", "1,false", "2,false", "47,false", "50,false", "58,false", "255,false"})
    void portsOnlyForProtocolsThatCarryThem(int protocol, boolean hasPorts) {
        Datagram d = wrapPacket(Packets.ipv4(protocol, Packets.tcp(1111, 2222, Datagram.TCP_SYN)));
        assertTrue(d.valid());
        assertEquals(protocol, d.protocol());
        assertEquals(hasPorts ? 1111 : ABSENT, d.sourcePort());
        assertEquals(hasPorts ? 2222 : ABSENT, d.destinationPort());
        assertEquals(protocol == Datagram.PROTOCOL_TCP ? Datagram.TCP_SYN : ABSENT, d.tcpFlags());
        assertEquals(d.offset() + 20, d.transportOffset(), "the transport offset is known whatever the protocol");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 9})
    void firstFragmentCarriesThePorts(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV4_FRAG_FIRST, frameAt);
        assertTrue(d.valid());
        assertEquals(36, d.length());
        assertTrue(d.isFragment());
        assertTrue(d.isFirstFragment());
        assertTrue(d.moreFragments());
        assertEquals(0, d.fragmentOffset());
        assertEquals(0xBEEF, d.fragmentId());
        assertEquals(Datagram.PROTOCOL_UDP, d.protocol());
        assertEquals(40001, d.sourcePort());
        assertEquals(53, d.destinationPort());
        assertEquals(frameAt + GoldenFrame.ETHERNET_HEADER + 20, d.transportOffset());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 9})
    void middleFragmentHasNoPorts(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV4_FRAG_MIDDLE, frameAt);
        assertTrue(d.valid());
        assertTrue(d.isFragment());
        assertFalse(d.isFirstFragment());
        assertTrue(d.moreFragments());
        assertEquals(16, d.fragmentOffset());
        assertEquals(0xBEEF, d.fragmentId());
        assertEquals(Datagram.PROTOCOL_UDP, d.protocol(), "the protocol is in every fragment");
        // The fragment data starts 1f 90 00 50, which would read as ports 8080 -> 80.
        assertEquals(ABSENT, d.sourcePort());
        assertEquals(ABSENT, d.destinationPort());
        assertEquals(ABSENT, d.transportOffset());
        assertEquals(ABSENT, d.tcpFlags());
        assertEquals(0xC000_0221L, d.sourceKey(), "the source key does not need the ports");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 9})
    void lastFragmentHasNoPortsAndNoMoreFragments(int frameAt) {
        Datagram d = wrapFrame(GoldenFrame.IPV4_FRAG_LAST, frameAt);
        assertTrue(d.valid());
        assertTrue(d.isFragment());
        assertFalse(d.isFirstFragment());
        assertFalse(d.moreFragments());
        assertEquals(32, d.fragmentOffset());
        assertEquals(0xBEEF, d.fragmentId());
        assertEquals(ABSENT, d.sourcePort());
        assertEquals(ABSENT, d.destinationPort());
        assertEquals(ABSENT, d.transportOffset());
    }

    @ParameterizedTest
    @CsvSource({
        "0x0000, false, 0, false",
        "0x4000, false, 0, false",      // DF
        "0x8000, false, 0, false",      // reserved bit
        "0x2000, true, 0, true",        // MF, offset 0
        "0x6000, true, 0, true",        // DF and MF: odd but still the first fragment
        "0x0001, true, 8, false",       // last fragment at 8
        "0x2001, true, 8, true",
        "0x1FFF, true, 65528, false",   // largest offset
        "0xFFFF, true, 65528, true"})
    void flagsAndFragmentOffset(int flagsAndFragment, boolean fragment, int offset, boolean more) {
        Datagram d = wrapPacket(Packets.ipv4(Datagram.PROTOCOL_TCP, flagsAndFragment, 0xFEDC, new byte[0], Packets.tcp(1, 2, 0)));
        assertTrue(d.valid());
        assertEquals(fragment, d.isFragment());
        assertEquals(fragment && offset == 0, d.isFirstFragment());
        assertEquals(offset, d.fragmentOffset());
        assertEquals(more, d.moreFragments());
        assertEquals(offset == 0 ? 1 : ABSENT, d.sourcePort());
        assertEquals(offset == 0 ? d.offset() + 20 : ABSENT, d.transportOffset());
    }

    @Test
    void fragmentIdIsUnsigned16Bits() {
        Datagram d = wrapPacket(Packets.ipv4(Datagram.PROTOCOL_UDP, 0x2000, 0xFFFF, new byte[0], Packets.udp(1, 2, 0)));
        assertEquals(0xFFFFL, d.fragmentId());
    }

    @Test
    void tinyFirstFragmentHasPortsButNoTcpFlags() {
        // RFC 1858's tiny fragment: the first fragment carries only 8 bytes of the TCP header.
        byte[] tcp = Packets.tcp(4444, 80, Datagram.TCP_SYN);
        byte[] packet = Packets.ipv4(Datagram.PROTOCOL_TCP, 0x2000, 7, new byte[0], Arrays.copyOf(tcp, 8));
        Datagram d = wrapPacket(packet);
        assertTrue(d.valid());
        assertTrue(d.isFirstFragment());
        assertEquals(4444, d.sourcePort());
        assertEquals(80, d.destinationPort());
        assertEquals(ABSENT, d.tcpFlags());
    }

    @Test
    void transportHeaderCutByTheTotalLength() {
        // The packet is consistent (total length = bytes present) but too short for the transport header.
        byte[] tcp = Packets.tcp(4444, 80, Datagram.TCP_FIN);
        for (int present = 0; present <= tcp.length; present++) {
            byte[] packet = Packets.ipv4(Datagram.PROTOCOL_TCP, Arrays.copyOf(tcp, present));
            Datagram d = wrapPacket(packet);
            String at = present + " bytes of TCP";
            assertTrue(d.valid(), at);
            assertEquals(20 + present, d.length(), at);
            assertEquals(d.offset() + 20, d.transportOffset(), at);
            assertEquals(present >= 4 ? 4444 : ABSENT, d.sourcePort(), at);
            assertEquals(present >= 4 ? 80 : ABSENT, d.destinationPort(), at);
            assertEquals(present >= 20 ? Datagram.TCP_FIN : ABSENT, d.tcpFlags(), at);
        }
    }

    @Test
    void udpHeaderCutByTheTotalLength() {
        byte[] udp = Packets.udp(9999, 53, 0);
        for (int present = 0; present <= udp.length; present++) {
            Datagram d = wrapPacket(Packets.ipv4(Datagram.PROTOCOL_UDP, Arrays.copyOf(udp, present)));
            assertTrue(d.valid());
            assertEquals(present >= 4 ? 9999 : ABSENT, d.sourcePort(), present + " bytes of UDP");
            assertEquals(present >= 4 ? 53 : ABSENT, d.destinationPort(), present + " bytes of UDP");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void headerLengthBelowFiveWordsIsInvalid(int ihl) {
        byte[] packet = Packets.ipv4(Datagram.PROTOCOL_TCP, Packets.tcp(1, 2, 0));
        packet[0] = (byte) (0x40 | ihl);
        Datagram d = wrapPacket(packet);
        assertFalse(d.valid());
        assertEquals(0, d.version());
        assertEquals(ABSENT, d.sourcePort());
    }

    @Test
    void headerLengthBeyondTheTotalLengthIsInvalid() {
        // IHL 15 (60 bytes) in a 40-byte packet.
        byte[] packet = Packets.ipv4(Datagram.PROTOCOL_TCP, Packets.tcp(1, 2, 0));
        packet[0] = 0x4F;
        assertFalse(wrapPacket(packet).valid());
    }

    @Test
    void totalLengthOfJustTheHeaderIsValidWithoutPorts() {
        Datagram d = wrapPacket(Packets.ipv4(Datagram.PROTOCOL_TCP, new byte[0]));
        assertTrue(d.valid());
        assertEquals(20, d.length());
        assertEquals(ABSENT, d.sourcePort());
        assertEquals(ABSENT, d.tcpFlags());
    }
}
