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
