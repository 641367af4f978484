package lnlb.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lnlb.core.api.NodeAddress;
import org.junit.jupiter.api.Test;

class CutTableTest {
    @Test
    void equalWeightsCutEqualSlices() {
        CutTable table = new CutTable(new long[] {1, 2, 3, 4}, new int[] {5, 5, 5, 5});
        for (long node = 1; node <= 4; node++) {
            assertEquals(0.25, table.share(node), 1e-9);
        }
        assertEquals(1, table.owner(0));
        assertEquals(1, table.owner((1L << 30) - 1));
        assertEquals(2, table.owner(1L << 30));
        assertEquals(4, table.owner((1L << 32) - 1));
    }

    @Test
    void slicesFollowTheInverseOfTheWeight() {
        CutTable table = new CutTable(new long[] {10, 20, 30}, new int[] {1, 2, 4});
        assertEquals(4.0 / 7, table.share(10), 1e-6);
        assertEquals(2.0 / 7, table.share(20), 1e-6);
        assertEquals(1.0 / 7, table.share(30), 1e-6);
    }

    @Test
    void slicesAreContiguousInMacOrderAndCoverTheSpace() {
        CutTable table = new CutTable(new long[] {3, 7, 9, 100, 200}, new int[] {3, 1, 8, 2, 5});
        long previous = 0;
        long last = table.owner(0);
        assertEquals(3, last);
        double total = 0;
        for (long node : new long[] {3, 7, 9, 100, 200}) {
            total += table.share(node);
        }
        assertEquals(1.0, total, 1e-9);
        for (long bucket = 0; bucket < (1L << 32); bucket += 1L << 20) {
            long owner = table.owner(bucket);
            assertTrue(owner >= previous, "owners must rise with the bucket");
            previous = owner;
        }
    }

    @Test
    void emptyTableOwnsNothingAndBadInputIsRefused() {
        assertEquals(NodeAddress.NONE, new CutTable(new long[0], new int[0]).owner(5));
        assertThrows(IllegalArgumentException.class, () -> new CutTable(new long[] {2, 1}, new int[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new CutTable(new long[] {1}, new int[] {0}));
    }

    @Test
    void viewSortsMembersAndKeepsWeightsWithThem() {
        View view = new View(7, new long[] {30, 10, 20}, new int[] {3, 1, 2});
        assertEquals(10, view.member(0));
        assertEquals(3, view.weightOf(30));
        assertEquals(10, view.lowest());
        assertTrue(view.sameMembership(new View(9, new long[] {10, 20, 30}, new int[] {1, 2, 3})));
        assertEquals(view.table().ownerOfKey(12345), new View(1, new long[] {20, 30, 10}, new int[] {2, 3, 1})
                .table().ownerOfKey(12345));
    }
}
