package lnlb.core.api.table;

import lnlb.core.testing.Packets;

import static lnlb.core.testing.Packets.TCP;
import static lnlb.core.testing.Packets.UDP;
import static lnlb.core.testing.Packets.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import org.junit.jupiter.api.Test;

class FragmentTableTest {
    private static final long A = 0x02_00_00_00_00_0AL;
    private static final long B = 0x02_00_00_00_00_0BL;
    private static final long LIFE = 30_000;
    private static final int SOURCE = v4(10, 0, 0, 1);

    private final FragmentTable table = new FragmentTable(100, LIFE);

    @Test
    void theRestOfADatagramGoesWhereItsLeadingFragmentWent() {
        table.remember(Packets.udpLeading4(SOURCE, 5000, 77), A, 1_000);
        assertEquals(A, table.owner(Packets.trailing4(UDP, SOURCE, 77, 1480, true), 1_001));
        assertEquals(A, table.owner(Packets.trailing4(UDP, SOURCE, 77, 2960, false), 1_002));
        assertEquals(NodeAddress.NONE, table.owner(Packets.trailing4(UDP, SOURCE, 78, 1480, false), 1_002));
        assertEquals(NodeAddress.NONE, table.owner(Packets.trailing4(UDP, v4(10, 0, 0, 2), 77, 1480, false), 1_002));
        assertEquals(1, table.size());
    }

    @Test
    void anEntryLivesItsLifeFromRememberAndLookupsDoNotExtendIt() {
        Datagram trailing = Packets.trailing4(TCP, SOURCE, 5, 8, false);
        table.remember(Packets.tcpLeading4(SOURCE, 4000, 0x10, 5), B, 0);
        assertEquals(B, table.owner(trailing, LIFE - 1));
        assertEquals(NodeAddress.NONE, table.owner(trailing, LIFE));
        assertEquals(0, table.size(), "the expired entry is dropped");
    }

    @Test
    void rememberReplacesAndRestartsTheLife() {
        table.remember(Packets.udpLeading4(SOURCE, 5000, 1), A, 0);
        table.remember(Packets.trailing4(UDP, SOURCE, 1, 8, false), B, 20_000);
        assertEquals(B, table.owner(Packets.trailing4(UDP, SOURCE, 1, 16, false), 20_000 + LIFE - 1));
    }

    @Test
    void ipv6UsesThe32BitIdentification() {
        table.remember(Packets.leading6(UDP, 1, 5000, 0, 0x0001_0001), A, 0);
        assertEquals(A, table.owner(Packets.trailing6(UDP, 1, 0x0001_0001, 1232, false), 1));
        assertEquals(NodeAddress.NONE, table.owner(Packets.trailing6(UDP, 1, 0x0000_0001, 1232, false), 1));
        assertEquals(NodeAddress.NONE, table.owner(Packets.trailing6(UDP, 2, 0x0001_0001, 1232, false), 1));
    }

    @Test
    void deadOwnersAreForgotten() {
        for (int id = 0; id < 10; id++) {
            table.remember(Packets.udpLeading4(SOURCE, 5000, id), id % 2 == 0 ? A : B, 0);
        }
        assertEquals(5, table.removeOwner(A));
        assertEquals(NodeAddress.NONE, table.owner(Packets.trailing4(UDP, SOURCE, 0, 8, false), 1));
        assertEquals(B, table.owner(Packets.trailing4(UDP, SOURCE, 1, 8, false), 1));
    }

    @Test
    void boundedAndEvictionsCounted() {
        FragmentTable small = new FragmentTable(4, LIFE);
        for (int id = 0; id < 20; id++) {
            small.remember(Packets.udpLeading4(SOURCE, 5000, id), A, id);
            assertTrue(small.size() <= 4);
        }
        assertEquals(16, small.evictions());
        assertEquals(A, small.owner(Packets.trailing4(UDP, SOURCE, 19, 8, false), 20));
        assertEquals(LIFE, small.lifeMillis());
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new FragmentTable(0, LIFE));
        assertThrows(IllegalArgumentException.class, () -> new FragmentTable(10, 0));
        assertThrows(IllegalArgumentException.class, () -> new FragmentTable(null));
        assertThrows(IllegalArgumentException.class,
                () -> table.remember(Packets.udpLeading4(SOURCE, 1, 1), NodeAddress.NONE, 0));
    }
}
