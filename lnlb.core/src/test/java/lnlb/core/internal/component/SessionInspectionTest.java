package lnlb.core.internal.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lnlb.core.api.admin.SessionQueryDTO;
import lnlb.core.api.table.SessionEntries;
import lnlb.core.api.table.SessionTable;
import org.junit.jupiter.api.Test;

/** The digest ignores slot order and clocks but not owners or states; the query's filter. */
class SessionInspectionTest {
    private static final long A = 0x0200_0000_0001L;
    private static final long B = 0x0200_0000_0002L;

    private static long digest(SessionTable t) {
        long[] sum = {0};
        t.forEach((key, owner, lastSeen, state) -> sum[0] += SessionInspection.entryHash(6, key, owner, state));
        return sum[0];
    }

    @Test
    void theDigestIsTheSameForTheSameSessionsInAnyOrderOnAnyClock() {
        SessionTable one = new SessionTable(1000, 60_000);
        SessionTable two = new SessionTable(1000, 60_000);
        for (int i = 0; i < 500; i++) {
            one.put(i * 7919L, i % 2 == 0 ? A : B, 1_000 + i, 2);
        }
        for (int i = 499; i >= 0; i--) {
            two.put(i * 7919L, i % 2 == 0 ? A : B, 9_999_000 - i, 2); // another clock, another order
        }
        assertEquals(digest(one), digest(two));
        two.setOwner(two.find(7919L), A); // one session with another owner
        assertNotEquals(digest(one), digest(two));
        two.setOwner(two.find(7919L), B);
        two.setState(two.find(7919L), 4); // another state
        assertNotEquals(digest(one), digest(two));
    }

    @Test
    void aDigestInSlicesEqualsOneInOneTurnAndItsBucketsAddUp() {
        int n = 1_000_000;
        SessionTable table = new SessionTable(n, 60_000);
        for (int i = 0; i < n; i++) {
            table.put((0x0A00_0000L + i) << 16 | (i & 0xFFFF), A + (i % 3), 1_000 + i % 1_000, i & 7);
        }
        long whole = 0;
        long sliced = 0;
        int slices = 0;
        SessionInspection.DigestSums one = null;
        SessionInspection.DigestSums many = null;
        for (int round = 0; round < 5; round++) { // the first rounds warm the JIT; the last one is reported
            one = new SessionInspection.DigestSums(6);
            long t = System.nanoTime();
            table.visit(0, Integer.MAX_VALUE, one.visitor(10_000, 60_000));
            whole = System.nanoTime() - t;
            many = new SessionInspection.DigestSums(6);
            sliced = 0;
            slices = 0;
            for (int from = 0; from != SessionEntries.END; slices++) {
                t = System.nanoTime();
                from = table.visit(from, SessionInspection.SLICE_SLOTS, many.visitor(10_000, 60_000));
                sliced = Math.max(sliced, System.nanoTime() - t);
            }
        }
        assertEquals(n, one.entries);
        assertEquals(digest(table), one.sum);
        assertEquals(one.sum, many.sum);
        assertEquals(n, many.entries);
        long bucketSum = 0;
        long bucketEntries = 0;
        for (int b = 0; b < many.bucketSums.length; b++) {
            bucketSum += many.bucketSums[b];
            bucketEntries += many.bucketEntries[b];
            assertTrue(many.bucketEntries[b] > n / 256 / 2, "bucket " + b + " holds " + many.bucketEntries[b]);
        }
        assertEquals(one.sum, bucketSum);
        assertEquals(n, bucketEntries);
        // reported, not asserted: BENCHMARKS.md
        System.out.printf("digest of 1,000,000 entries: one turn %.2f ms; %d slices of %,d slots, longest %.2f ms%n",
                whole / 1e6, slices, SessionInspection.SLICE_SLOTS, sliced / 1e6);
    }

    @Test
    void aSessionStaysInItsBucketWhateverItsOwnerOrState() {
        SessionInspection.DigestSums a = new SessionInspection.DigestSums(6);
        SessionInspection.DigestSums b = new SessionInspection.DigestSums(6);
        long key = 0x0A01_0203L << 16 | 443;
        a.visitor(0, 60_000).visit(key, A, 0, 2);
        b.visitor(0, 60_000).visit(key, B, 0, 4);
        int bucket = SessionInspection.bucket(6, key);
        assertEquals(1, a.bucketEntries[bucket]);
        assertEquals(1, b.bucketEntries[bucket]);
        assertNotEquals(a.bucketSums[bucket], b.bucketSums[bucket]);
        assertNotEquals(SessionInspection.bucket(6, key), SessionInspection.bucket(6, key + 1), "a neighbour elsewhere");
    }

    @Test
    void theFilterMatchesSourceNetworkPortAndNode() {
        SessionQueryDTO q = new SessionQueryDTO();
        q.source = "10.1.2.0/24";
        q.port = 443;
        q.node = "self";
        SessionInspection.Filter f = SessionInspection.Filter.of(q, A);
        long flow = 0x0A01_0203L << 16 | 443;
        assertTrue(f.matches(SessionEntries.KEY_FLOW, flow, A));
        assertFalse(f.matches(SessionEntries.KEY_FLOW, flow, B));
        assertFalse(f.matches(SessionEntries.KEY_FLOW, 0x0A01_0303L << 16 | 443, A));
        assertFalse(f.matches(SessionEntries.KEY_FLOW, flow + 1, A));
        assertFalse(f.matches(SessionEntries.KEY_SOURCE, 0x0A01_0203L, A), "a port asks for flows");
        q.port = -1;
        assertTrue(SessionInspection.Filter.of(q, A).matches(SessionEntries.KEY_SOURCE, 0x0A01_0203L, A));
        q.source = "10.1.2.0/33";
        assertThrows(IllegalArgumentException.class, () -> SessionInspection.Filter.of(q, A));
    }
}
