package lnlb.core.api.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link SessionTable#visit}: slices cover every entry exactly once, and one slice of 16,384 slots
 * of a table of 1,000,000 entries is a short piece of loop work (the bound on what a listing adds
 * to one loop turn).
 */
class SessionTableVisitTest {
    private static final long NODE = 0x0200_0000_0001L;

    @Test
    void slicesVisitEveryEntryOnceAndStayShort() {
        int n = 1_000_000;
        SessionTable table = new SessionTable(n, 60_000);
        for (int i = 0; i < n; i++) {
            table.put((0x0A00_0000L + i) << 16 | (i & 0xFFFF), NODE + (i % 3), i, i & 7);
        }
        long[] seen = {0, 0};
        SessionTable.Visitor v = (key, owner, lastSeen, state) -> {
            seen[0]++;
            seen[1] += key;
        };
        long expected = 0;
        for (int i = 0; i < n; i++) {
            expected += (0x0A00_0000L + i) << 16 | (i & 0xFFFF);
        }
        long worst = 0;
        int slices = 0;
        for (int round = 0; round < 5; round++) { // the first rounds warm the JIT
            seen[0] = 0;
            seen[1] = 0;
            worst = 0;
            slices = 0;
            for (int from = 0; from != SessionEntries.END; slices++) {
                long t = System.nanoTime();
                from = table.visit(from, 16_384, v);
                worst = Math.max(worst, System.nanoTime() - t);
            }
            assertEquals(n, seen[0]);
            assertEquals(expected, seen[1]);
        }
        assertEquals(table.capacity() / 16_384, slices);
        System.out.printf("1,000,000 entries, %d slots: %d slices of 16,384 slots, longest %.2f ms%n", table.capacity(),
                slices, worst / 1e6);
        assertTrue(worst < 50_000_000L, "a slice took " + worst / 1e6 + " ms");
    }
}
