package lnlb.core.api.table;

import lnlb.core.testing.Packets;

import static lnlb.core.testing.Packets.ACK;
import static lnlb.core.testing.Packets.SYN;
import static lnlb.core.testing.Packets.TCP;
import static lnlb.core.testing.Packets.UDP;
import static lnlb.core.testing.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import lnlb.core.api.Datagram;
import org.junit.jupiter.api.Test;

/** The key packing is part of the cluster protocol: pinned by vectors. */
class FlowKeysTest {

    @Test
    void ipv4FlowKeyIsAddressAndPortSideBySide() {
        Datagram d = Packets.tcp4(v4(10, 1, 2, 3), 40000, SYN);
        int dst = d.destinationPort() & 0x3FFF;
        assertEquals((long) dst << 48 | 0x0A01_0203_9C40L, FlowKeys.flow(d));
        assertEquals(0x0A01_0203_9C40L, FlowKeys.legacyFlow(d));
        Datagram all = Packets.udp4(v4(255, 255, 255, 255), 65535);
        assertEquals((long) (all.destinationPort() & 0x3FFF) << 48 | 0xFFFF_FFFF_FFFFL, FlowKeys.flow(all));
        assertEquals(0xFFFF_FFFF_FFFFL, FlowKeys.legacyFlow(all));
        assertEquals(0L, FlowKeys.legacyFlow(Packets.udp4(0, 0)));
        assertEquals(0L, FlowKeys.flow(Packets.udp4(0, 0)) & ~(0x3FFFL << 48));
    }

    @Test
    void ipv6FlowKeyIsPinned() {
        Datagram d = Packets.tcp6(1, 40000, SYN); // 2001:db8::1 port 40000
        assertEquals(0x61eb_4018_0000_0001L, d.sourceKey());
        assertEquals(0xaa01_7da5_27d5_878fL, FlowKeys.legacyFlow(d));
        assertEquals((d.sourceKey() * FlowKeys.FLOW_MULTIPLIER + 40000) | Long.MIN_VALUE, FlowKeys.legacyFlow(d));
        assertEquals(((d.sourceKey() * FlowKeys.FLOW_MULTIPLIER + 40000) * FlowKeys.FLOW_MULTIPLIER
                + d.destinationPort()) | Long.MIN_VALUE, FlowKeys.flow(d));
    }

    @Test
    void fragmentKeysArePinned() {
        assertEquals(0x0A01_0203_BEEFL, FlowKeys.fragment(Packets.trailing4(UDP, v4(10, 1, 2, 3), 0xBEEF, 1480, false)));
        assertEquals(0x0A01_0203_BEEFL, FlowKeys.fragment(Packets.udpLeading4(v4(10, 1, 2, 3), 5000, 0xBEEF)));
        assertEquals(0xafe1_365a_50ea_8545L, FlowKeys.fragment(Packets.trailing6(UDP, 1, 0xCAFE_BABE, 1280, true)));
    }

    @Test
    void everyPortOfOneAddressGetsItsOwnKey() {
        Set<Long> v4 = new HashSet<>();
        Set<Long> v6 = new HashSet<>();
        for (int port = 0; port < 65536; port++) {
            v4.add(FlowKeys.flow(Packets.udp4(v4(10, 0, 0, 1), port)));
            v6.add(FlowKeys.flow(Packets.udp6(1, port)));
        }
        assertEquals(65536, v4.size());
        assertEquals(65536, v6.size());
    }

    @Test
    void familiesNeverShareAKey() {
        for (int i = 0; i < 1000; i++) {
            assertTrue(FlowKeys.flow(Packets.udp4(v4(10, 0, i >> 8, i), 1000 + i)) >= 0, "IPv4: bit 63 clear");
            assertTrue(FlowKeys.flow(Packets.udp6(i, 1000 + i)) < 0, "IPv6: bit 63 set");
            assertTrue(FlowKeys.fragment(Packets.trailing6(UDP, i, i, 8, false)) < 0);
        }
    }

    @Test
    void nearbyIpv6AddressesAndPortsDoNotCollide() {
        Set<Long> keys = new HashSet<>();
        for (long low = 1; low <= 64; low++) {
            for (int port = 1000; port < 2000; port++) {
                assertTrue(keys.add(FlowKeys.flow(Packets.udp6(low, port))), "::" + low + " port " + port);
            }
        }
    }

    @Test
    void leadingTrailingAndAtomicFragments() {
        Datagram leading = Packets.udpLeading4(v4(10, 0, 0, 1), 5000, 7);
        Datagram middle = Packets.trailing4(UDP, v4(10, 0, 0, 1), 7, 1480, true);
        Datagram last = Packets.trailing4(UDP, v4(10, 0, 0, 1), 7, 2960, false);
        Datagram whole = Packets.udp4(v4(10, 0, 0, 1), 5000);
        Datagram atomic = Packets.atomic6(UDP, 1, 5000, 0, 9);
        assertTrue(FlowKeys.isLeadingFragment(leading));
        assertFalse(FlowKeys.isTrailingFragment(leading));
        assertTrue(FlowKeys.isTrailingFragment(middle));
        assertTrue(FlowKeys.isTrailingFragment(last));
        assertFalse(FlowKeys.isLeadingFragment(last));
        assertFalse(FlowKeys.isLeadingFragment(whole) || FlowKeys.isTrailingFragment(whole));
        assertFalse(FlowKeys.isLeadingFragment(atomic) || FlowKeys.isTrailingFragment(atomic));
        assertTrue(FlowKeys.hasPorts(atomic));
        assertTrue(FlowKeys.isLeadingFragment(Packets.leading6(TCP, 1, 5000, SYN, 9)));
        assertTrue(FlowKeys.isTrailingFragment(Packets.trailing6(TCP, 1, 9, 1232, false)));
    }

    @Test
    void assignmentKeyIsTheFlowWhenPortsShowElseTheSource() {
        Datagram segment = Packets.tcp4(v4(10, 0, 0, 1), 40000, ACK);
        assertEquals(FlowKeys.flow(segment), FlowKeys.assignmentKey(segment));
        Datagram leading = Packets.tcpLeading4(v4(10, 0, 0, 1), 40000, ACK, 3);
        assertEquals(FlowKeys.flow(segment), FlowKeys.assignmentKey(leading));
        Datagram trailing = Packets.trailing4(TCP, v4(10, 0, 0, 1), 3, 8, false);
        assertFalse(FlowKeys.hasPorts(trailing));
        assertEquals(trailing.sourceKey(), FlowKeys.assignmentKey(trailing));
        assertEquals(0x0A00_0001L, FlowKeys.assignmentKey(trailing));
        Datagram truncated = Packets.noPorts4(UDP, v4(10, 0, 0, 1));
        assertEquals(0x0A00_0001L, FlowKeys.assignmentKey(truncated));
        assertNotEquals(FlowKeys.assignmentKey(Packets.udp4(v4(10, 0, 0, 1), 1)),
                FlowKeys.assignmentKey(Packets.udp4(v4(10, 0, 0, 1), 2)));
    }
}
