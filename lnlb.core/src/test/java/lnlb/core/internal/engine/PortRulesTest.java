package lnlb.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lnlb.core.api.Affinity;
import lnlb.core.api.Datagram;
import org.junit.jupiter.api.Test;

class PortRulesTest {
    static final int TCP = Datagram.PROTOCOL_TCP;
    static final int UDP = Datagram.PROTOCOL_UDP;
    static final int ICMP = Datagram.PROTOCOL_ICMP;

    @Test
    void theDefaultIsSourceForEverything() {
        PortRules rules = PortRules.parse(null, null);
        assertEquals(PortRules.DEFAULT, rules);
        assertEquals(Affinity.SOURCE, rules.affinity(TCP, 80));
        assertEquals(Affinity.SOURCE, rules.affinity(ICMP, Datagram.ABSENT));
        assertEquals("source", rules.text());
    }

    @Test
    void theFirstMatchingRuleWins() {
        PortRules rules = PortRules.parse("network",
                "tcp:80,443:connection, udp:53:connection, tcp:5201:source, any:1000-2000:drop, tcp:*:connection");
        assertEquals(Affinity.CONNECTION, rules.affinity(TCP, 80));
        assertEquals(Affinity.CONNECTION, rules.affinity(TCP, 443));
        assertEquals(Affinity.SOURCE, rules.affinity(TCP, 5201));
        assertEquals(Affinity.CONNECTION, rules.affinity(UDP, 53));
        assertEquals(Affinity.DROP, rules.affinity(UDP, 1500));
        assertEquals(Affinity.DROP, rules.affinity(TCP, 2000));
        assertEquals(Affinity.CONNECTION, rules.affinity(TCP, 2001), "tcp:* after the range");
        assertEquals(Affinity.CONNECTION, rules.affinity(TCP, Datagram.ABSENT), "a trailing fragment matches * only");
        assertEquals(Affinity.NETWORK, rules.affinity(UDP, 54), "no rule: the default");
        assertEquals(Affinity.NETWORK, rules.affinity(ICMP, Datagram.ABSENT));
        assertEquals(Affinity.NETWORK, rules.affinity(UDP, Datagram.ABSENT), "a port list never matches no port");
    }

    @Test
    void theCanonicalTextRoundTripsAndTheDigestFollowsIt() {
        PortRules rules = PortRules.parse("SOURCE", " tcp:80,443:connection;udp:53:CONNECTION  tcp:5000-5010:drop ");
        assertEquals("source; tcp:80:connection; tcp:443:connection; udp:53:connection; tcp:5000-5010:drop",
                rules.text());
        assertEquals(rules, PortRules.ofText(rules.text()));
        assertEquals(rules.digest(), PortRules.ofText(rules.text()).digest());
        assertEquals(rules, PortRules.parse("source", "tcp:80:connection tcp:443:connection, udp:53:connection, "
                + "tcp:5000-5010:drop"), "the same rules written otherwise");
        assertNotEquals(rules.digest(), PortRules.parse("source", "tcp:443,80:connection").digest(), "order matters");
        assertEquals(8, rules.digestText().length());
    }

    @Test
    void badRulesSayWhatIsWrong() {
        assertMessage("protocol must be tcp, udp or any", "sctp:80:connection");
        assertMessage("must be PROTO:PORTS:AFFINITY", "tcp:80");
        assertMessage("is not a port", "tcp:http:connection");
        assertMessage("is not a port", "tcp:70000:connection");
        assertMessage("is empty", "tcp:90-80:connection");
        assertMessage("affinity must be source, connection, network or drop", "tcp:80:sticky");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortRules.parse("drop", null));
        assertTrue(e.getMessage().contains("not drop"), e.getMessage());
    }

    private static void assertMessage(String part, String rules) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PortRules.parse(null, rules));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }

    @Test
    void aDrainingMemberGetsNoSliceButKeepsItsPlace() {
        long a = 10;
        long b = 20;
        long c = 30;
        View view = new View(5, new long[] {a, b, c}, new int[] {1, 1, 1}, new boolean[] {false, true, false},
                PortRules.DEFAULT);
        assertTrue(view.contains(b));
        assertTrue(view.isDraining(b));
        assertEquals(0.0, view.table().share(b));
        assertEquals(0.5, view.table().share(a), 1e-9);
        for (long key = 0; key < 10_000; key++) {
            assertNotEquals(b, view.table().ownerOfKey(key));
        }
        View all = new View(5, new long[] {a, b}, new int[] {1, 1}, new boolean[] {true, true}, PortRules.DEFAULT);
        assertEquals(0.5, all.table().share(b), 1e-9, "every member drains: they all keep their slices");
        View plain = new View(5, new long[] {a, b, c}, new int[] {1, 1, 1});
        assertTrue(plain.sameMembers(view));
        assertTrue(!plain.sameMembership(view) && !plain.sameSettings(view), "a drain is a change of its own");
        View ruled = plain.with(6, new boolean[3], PortRules.parse(null, "tcp:80:connection"));
        assertTrue(!plain.sameSettings(ruled), "so is a change of rules");
    }
}
