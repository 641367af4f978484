package lnlb.module.tcp.internal;

import lnlb.core.testing.Packets;
import lnlb.core.testing.FakeCluster;
import lnlb.core.testing.Nodes;

import static lnlb.core.testing.Packets.ACK;
import static lnlb.core.testing.Packets.FIN;
import static lnlb.core.testing.Packets.RST;
import static lnlb.core.testing.Packets.SYN;
import static lnlb.core.testing.Packets.TCP;
import static lnlb.core.testing.Packets.tcp4;
import static lnlb.core.testing.Packets.tcp6;
import static lnlb.core.testing.Packets.tcpLeading4;
import static lnlb.core.testing.Packets.trailing4;
import static lnlb.core.testing.Packets.v4;
import static lnlb.module.tcp.internal.TcpTrackerTest.A;
import static lnlb.module.tcp.internal.TcpTrackerTest.B;
import static lnlb.module.tcp.internal.TcpTrackerTest.C;
import static lnlb.module.tcp.internal.TcpTrackerTest.TIMEOUTS;
import static lnlb.module.tcp.internal.TcpTrackerTest.assertMessageContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import lnlb.core.api.Datagram;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.table.FlowKeys;
import lnlb.core.api.table.SessionTable;
import lnlb.core.api.table.StateDump;
import lnlb.core.testing.DumpBytes;
import org.junit.jupiter.api.Test;

/** saveState/loadState: the format, round trips in every state, the older version, corrupt dumps. */
class TcpTrackerStateTest {
    private static final int CLIENT = v4(10, 2, 0, 1);
    private static final int CONNECTIONS = 30;
    private static final int FRAGMENTS = 5;
    private static final long START = 1_000_000;
    private static final long SAVED = 1_015_000;

    private final FakeCluster sender = new FakeCluster("nlb0", START);
    private final TcpTracker senderTracker = new TcpTracker(TIMEOUTS, 1_000, 100);

    TcpTrackerStateTest() {
        senderTracker.clusterCreated(sender);
    }

    /** The state connection {@code i} is left in: SYN_SEEN, ESTABLISHED, PICKED_UP, FIN_SEEN, RST_SEEN. */
    private static int stateOf(int i) {
        return new int[] {TcpState.SYN_SEEN, TcpState.ESTABLISHED, TcpState.PICKED_UP, TcpState.FIN_SEEN,
            TcpState.RST_SEEN}[i % 5];
    }

    private static Datagram segment(int i, int flags) {
        return tcp4(CLIENT, 50000 + i, flags);
    }

    /**
     * Connections 10.2.0.1:50000+i, i < 30, last seen at START + i*100 in state {@link #stateOf}(i),
     * an IPv6 connection, and 5 fragmented datagrams; saved at SAVED, when the RST_SEEN ones have
     * expired (but are still in the table) and the others have not.
     */
    private byte[] dump(int version) {
        for (int i = 0; i < CONNECTIONS; i++) {
            sender.now = START + i * 100L;
            long owner = Nodes.MACS[i % 3];
            switch (stateOf(i)) {
                case TcpState.PICKED_UP:
                    senderTracker.assigned(sender, segment(i, ACK), owner);
                    break;
                case TcpState.SYN_SEEN:
                    senderTracker.assigned(sender, segment(i, SYN), owner);
                    break;
                default:
                    senderTracker.assigned(sender, segment(i, SYN), owner);
                    senderTracker.related(sender, segment(i, ACK));
                    if (stateOf(i) != TcpState.ESTABLISHED) {
                        senderTracker.related(sender, segment(i, stateOf(i) == TcpState.FIN_SEEN ? FIN | ACK : RST));
                    }
            }
            assertEquals(stateOf(i), senderTracker.state(sender, segment(i, ACK)));
        }
        sender.now = START + CONNECTIONS * 100L;
        senderTracker.assigned(sender, tcp6(0xBEEF, 443, SYN), C);
        senderTracker.related(sender, tcp6(0xBEEF, 443, ACK));
        for (int f = 0; f < FRAGMENTS; f++) {
            sender.now = START + 4_000 + f * 100L;
            // Trailing fragments that came first: remembered on their own, no connection touched.
            senderTracker.assigned(sender, trailing4(TCP, CLIENT, 100 + f, 1480, true), Nodes.MACS[f % 3]);
        }
        sender.now = SAVED;
        return TcpStateCodec.encode(senderTracker.tables(sender), SAVED, TIMEOUTS, version);
    }

    private byte[] dump() {
        byte[] dump = dump(TcpStateCodec.VERSION);
        assertArrayEquals(dump, senderTracker.saveState(sender), "saveState writes the current version");
        return dump;
    }

    /** Milliseconds until the entry of {@code d}'s connection expires, on {@code cluster}'s clock. */
    private static long remaining(TcpTracker tracker, FakeCluster cluster, Datagram d) {
        SessionTable flows = tracker.tables(cluster).flows();
        int slot = flows.find(FlowKeys.flow(d));
        assertTrue(slot != SessionTable.NOT_FOUND, "connection not loaded");
        return flows.lastSeen(slot) + flows.idleMillis() - cluster.now;
    }

    private static long fragmentRemaining(TcpTracker tracker, FakeCluster cluster, Datagram d) {
        SessionTable fragments = tracker.tables(cluster).fragments().table();
        int slot = fragments.find(FlowKeys.fragment(d));
        assertTrue(slot != SessionTable.NOT_FOUND, "fragment not loaded");
        return fragments.lastSeen(slot) + fragments.idleMillis() - cluster.now;
    }

    // ------------------------------------------------------------------ format

    @Test
    void layout() {
        byte[] dump = dump();
        ByteBuffer in = ByteBuffer.wrap(dump);
        assertEquals("LNTC", new String(dump, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(2, in.getShort(4));
        assertEquals(SAVED, in.getLong(6));
        assertEquals(5, in.get(14));
        long[] parameters = new long[5];
        for (int p = 0; p < 5; p++) {
            parameters[p] = in.getLong(15 + 8 * p);
        }
        assertArrayEquals(new long[] {TIMEOUTS.idleMillis(), TIMEOUTS.synMillis(), TIMEOUTS.finMillis(),
            TIMEOUTS.rstMillis(), TIMEOUTS.fragmentMillis()}, parameters);
        StateDump read = StateDump.read(dump, TcpStateCodec.MAGIC, "test");
        assertEquals(2, read.tables());
        assertEquals(CONNECTIONS + 1, read.entries(TcpStateCodec.FLOWS));
        assertEquals(FRAGMENTS, read.entries(TcpStateCodec.FRAGMENTS));
        boolean found = false;
        for (int i = 0; i < read.entries(TcpStateCodec.FLOWS); i++) {
            if (read.key(TcpStateCodec.FLOWS, i) == FlowKeys.flow(segment(3, ACK))) { // FIN_SEEN, seen at START + 300
                assertEquals(A, read.owner(TcpStateCodec.FLOWS, i));
                assertEquals(START + 300 - (TIMEOUTS.idleMillis() - TIMEOUTS.finMillis()), read.lastSeen(TcpStateCodec.FLOWS, i),
                        "the stamp: the last segment backdated so that the idle timeout ends the FIN life");
                assertEquals(TcpState.FIN_SEEN, read.state(TcpStateCodec.FLOWS, i));
                found = true;
            }
        }
        assertTrue(found);
        for (int i = 0; i < FRAGMENTS; i++) {
            assertEquals(0, read.state(TcpStateCodec.FRAGMENTS, i));
        }
    }

    @Test
    void version1CarriesTheConnectionsOnly() {
        byte[] dump = dump(TcpStateCodec.VERSION_1);
        ByteBuffer in = ByteBuffer.wrap(dump);
        assertEquals(1, in.getShort(4));
        assertEquals(4, in.get(14));
        StateDump read = StateDump.read(dump, TcpStateCodec.MAGIC, "test");
        assertEquals(1, read.tables());
        assertEquals(CONNECTIONS + 1, read.entries(TcpStateCodec.FLOWS));
        assertThrows(IllegalArgumentException.class, () -> TcpStateCodec.encode(null, 0, TIMEOUTS, 3));
    }

    @Test
    void emptyAndUnknownClustersSaveAnEmptyDump() {
        byte[] empty = senderTracker.saveState(sender);
        assertEquals(15 + 40 + 1 + 8 + 8 + 4, empty.length);
        assertArrayEquals(empty, senderTracker.saveState(new FakeCluster("nlb7", START)));
        Receiver r = new Receiver();
        r.tracker.loadState(r.cluster, empty);
        assertEquals(0, r.tracker.entries(r.cluster));
        assertEquals(0, r.tracker.fragments(r.cluster));
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void everyEntryKeepsItsStateOwnerAndRemainingLifeAcrossClocks() {
        byte[] dump = dump();
        FakeCluster cluster = new FakeCluster("nlb0", 77_000); // a clock far behind the sender's
        TcpTracker receiver = new TcpTracker(TIMEOUTS, 1_000, 100);
        receiver.loadState(cluster, dump); // never created: loading creates the tables
        assertEquals(CONNECTIONS + 1, receiver.entries(cluster));
        assertEquals(FRAGMENTS, receiver.fragments(cluster));
        for (int i = 0; i < CONNECTIONS; i++) {
            Datagram d = segment(i, ACK);
            assertEquals(stateOf(i), receiver.state(cluster, d), "connection " + i);
            assertEquals(remaining(senderTracker, sender, d), remaining(receiver, cluster, d), "connection " + i);
            long expected = TIMEOUTS.life(stateOf(i)) - (SAVED - START - i * 100L);
            assertEquals(expected, remaining(receiver, cluster, d), "connection " + i);
        }
        for (int f = 0; f < FRAGMENTS; f++) {
            Datagram trailing = trailing4(TCP, CLIENT, 100 + f, 8, false);
            assertEquals(fragmentRemaining(senderTracker, sender, trailing), fragmentRemaining(receiver, cluster, trailing));
            assertEquals(Nodes.MACS[f % 3], receiver.related(cluster, trailing), "fragment " + f);
        }
        assertEquals(C, receiver.related(cluster, tcp6(0xBEEF, 443, ACK)));
    }

    @Test
    void liveEntriesDecideAsOnTheSenderAndExpiredOnesAreGone() {
        byte[] dump = dump();
        FakeCluster cluster = new FakeCluster("nlb0", -5_000_000); // negative clocks are fine too
        TcpTracker receiver = new TcpTracker(TIMEOUTS, 1_000, 100);
        receiver.loadState(cluster, dump);
        for (int i = 0; i < CONNECTIONS; i++) {
            boolean alive = TIMEOUTS.life(stateOf(i)) > SAVED - START - i * 100L;
            assertEquals(alive ? Nodes.MACS[i % 3] : NodeAddress.NONE, receiver.related(cluster, segment(i, ACK)),
                    "connection " + i + " in " + TcpState.name(stateOf(i)));
        }
    }

    @Test
    void aReloadedDumpHoldsTheSameEntries() {
        byte[] dump = dump();
        FakeCluster cluster = new FakeCluster("nlb0", SAVED);
        TcpTracker receiver = new TcpTracker(TIMEOUTS, 1_000, 100);
        receiver.loadState(cluster, dump);
        assertEquals(entries(senderTracker.tables(sender).flows()), entries(receiver.tables(cluster).flows()));
        assertEquals(entries(senderTracker.tables(sender).fragments().table()),
                entries(receiver.tables(cluster).fragments().table()));
        receiver.loadState(cluster, receiver.saveState(cluster));
        assertEquals(entries(senderTracker.tables(sender).flows()), entries(receiver.tables(cluster).flows()));
    }

    @Test
    void aVersion1DumpIsReadByThisVersion() {
        byte[] dump = dump(TcpStateCodec.VERSION_1);
        FakeCluster cluster = new FakeCluster("nlb0", 123_456);
        TcpTracker receiver = new TcpTracker(TIMEOUTS, 1_000, 100);
        receiver.clusterCreated(cluster);
        receiver.assigned(cluster, tcpLeading4(v4(172, 16, 0, 1), 1, SYN, 1), A); // replaced by the load
        receiver.loadState(cluster, dump);
        assertEquals(CONNECTIONS + 1, receiver.entries(cluster));
        assertEquals(0, receiver.fragments(cluster), "version 1 carries no fragments");
        for (int i = 0; i < CONNECTIONS; i++) {
            Datagram d = segment(i, ACK);
            assertEquals(stateOf(i), receiver.state(cluster, d));
            assertEquals(remaining(senderTracker, sender, d), remaining(receiver, cluster, d), "connection " + i);
        }
        assertEquals(NodeAddress.NONE, receiver.related(cluster, tcp4(v4(172, 16, 0, 1), 1, ACK)));
    }

    @Test
    void otherTimeoutsRestampFromTheLastSegment() {
        byte[] dump = dump();
        TcpTimeouts shorter = new TcpTimeouts(300_000, 15_000, 20_000, 5_000, 10_000);
        FakeCluster cluster = new FakeCluster("nlb0", 0);
        TcpTracker receiver = new TcpTracker(shorter, 1_000, 100);
        receiver.loadState(cluster, dump);
        for (int i = 0; i < CONNECTIONS; i++) {
            long age = SAVED - START - i * 100L;
            assertEquals(shorter.life(stateOf(i)) - age, remaining(receiver, cluster, segment(i, ACK)), "connection " + i);
        }
        Datagram trailing = trailing4(TCP, CLIENT, 100, 8, false);
        assertEquals(10_000 - (SAVED - START - 4_000), fragmentRemaining(receiver, cluster, trailing));
    }

    @Test
    void loadReplacesEverything() {
        byte[] dump = dump();
        Receiver r = new Receiver();
        r.tracker.loadState(r.cluster, dump);
        assertEquals(NodeAddress.NONE, r.tracker.related(r.cluster, tcp4(v4(172, 16, 0, 1), 1, ACK)));
        assertEquals(NodeAddress.NONE, r.tracker.related(r.cluster, trailing4(TCP, v4(172, 16, 0, 1), 1, 8, false)));
        assertEquals(CONNECTIONS + 1, r.tracker.entries(r.cluster));
    }

    @Test
    void anOverfullDumpKeepsTheEntriesWithTheMostLifeLeft() {
        byte[] dump = dump();
        FakeCluster cluster = new FakeCluster("nlb0", SAVED);
        TcpTracker receiver = new TcpTracker(TIMEOUTS, 5, 2);
        receiver.loadState(cluster, dump);
        assertEquals(5, receiver.entries(cluster));
        assertEquals(2, receiver.fragments(cluster));
        // Established connections have the idle timeout left; the newest four and the IPv6 one stay.
        assertEquals(C, receiver.related(cluster, tcp6(0xBEEF, 443, ACK)));
        for (int i : new int[] {11, 16, 21, 26}) {
            assertEquals(Nodes.MACS[i % 3], receiver.related(cluster, segment(i, ACK)), "connection " + i);
        }
        assertEquals(Nodes.MACS[4 % 3], receiver.related(cluster, trailing4(TCP, CLIENT, 104, 8, false)));
        assertEquals(Nodes.MACS[3 % 3], receiver.related(cluster, trailing4(TCP, CLIENT, 103, 8, false)));
    }

    // ------------------------------------------------------------------ corrupt dumps

    @Test
    void everyTruncationIsRejectedAndTheTablesKept() {
        byte[] dump = dump();
        Receiver r = new Receiver();
        for (int length = 0; length < dump.length; length++) {
            byte[] cut = Arrays.copyOf(dump, length);
            assertThrows(IllegalArgumentException.class, () -> r.tracker.loadState(r.cluster, cut), "length " + length);
        }
        r.assertUntouched();
    }

    @Test
    void everyFlippedBitIsRejectedAndTheTablesKept() {
        byte[] dump = dump();
        Receiver r = new Receiver();
        for (int at = 0; at < dump.length; at++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = dump.clone();
                bad[at] ^= (byte) (1 << bit);
                assertThrows(IllegalArgumentException.class, () -> r.tracker.loadState(r.cluster, bad),
                        "byte " + at + " bit " + bit);
            }
        }
        r.assertUntouched();
    }

    @Test
    void aVersion1DumpIsCheckedAsStrictly() {
        byte[] dump = dump(TcpStateCodec.VERSION_1);
        Receiver r = new Receiver();
        for (int length = 0; length < dump.length; length++) {
            byte[] cut = Arrays.copyOf(dump, length);
            assertThrows(IllegalArgumentException.class, () -> r.tracker.loadState(r.cluster, cut), "length " + length);
        }
        for (int at = 0; at < dump.length; at++) {
            byte[] bad = dump.clone();
            bad[at] ^= (byte) 0x10;
            assertThrows(IllegalArgumentException.class, () -> r.tracker.loadState(r.cluster, bad), "byte " + at);
        }
        r.assertUntouched();
    }

    @Test
    void anotherModulesDumpIsRejected() {
        byte[] udp = StateDump.write(0x4C4E_5544, 2, 0, new long[] {60_000, 30_000}, null, null);
        Receiver r = new Receiver();
        assertMessageContains("magic", () -> r.tracker.loadState(r.cluster, udp));
        r.assertUntouched();
    }

    @Test
    void unknownVersionsAreRejected() {
        Receiver r = new Receiver();
        for (int version : new int[] {0, 3, 0xFFFF}) {
            byte[] dump = dump();
            ByteBuffer.wrap(dump).putShort(4, (short) version);
            assertMessageContains("version " + version, () -> r.tracker.loadState(r.cluster, resealed(dump)));
        }
        r.assertUntouched();
    }

    @Test
    void aVersionWithTheWrongShapeIsRejected() {
        Receiver r = new Receiver();
        byte[] v2WithV1Parameters = StateDump.write(TcpStateCodec.MAGIC, 2, 0, new long[] {600_000, 30_000, 60_000, 10_000},
                new SessionTable(10, 1_000), new SessionTable(10, 1_000));
        assertMessageContains("carries", () -> r.tracker.loadState(r.cluster, v2WithV1Parameters));
        byte[] v1WithTwoTables = StateDump.write(TcpStateCodec.MAGIC, 1, 0, new long[] {600_000, 30_000, 60_000, 10_000},
                new SessionTable(10, 1_000), new SessionTable(10, 1_000));
        assertMessageContains("carries", () -> r.tracker.loadState(r.cluster, v1WithTwoTables));
        r.assertUntouched();
    }

    @Test
    void anUnknownStateIsRejected() {
        Receiver r = new Receiver();
        for (int state : new int[] {TcpState.UNTRACKED, 6, -1}) {
            byte[] dump = dump();
            ByteBuffer.wrap(dump).putInt(DumpBytes.state(dump, TcpStateCodec.FLOWS, 0), state);
            assertMessageContains("no valid state", () -> r.tracker.loadState(r.cluster, resealed(dump)));
        }
        byte[] dump = dump();
        ByteBuffer.wrap(dump).putInt(DumpBytes.state(dump, TcpStateCodec.FRAGMENTS, 0), 1);
        assertMessageContains("state word", () -> r.tracker.loadState(r.cluster, resealed(dump)));
        r.assertUntouched();
    }

    @Test
    void timeoutsOutOfRangeAreRejected() {
        Receiver r = new Receiver();
        long[][] bad = {{0, 1, 1, 1, 1}, {1_000, 2_000, 1, 1, 1}, {1_000, 1, 1, 1, 0}, {1_000, 1, -1, 1, 1}};
        for (long[] parameters : bad) {
            byte[] dump = StateDump.write(TcpStateCodec.MAGIC, 2, 0, parameters, null, null);
            assertMessageContains("timeouts are out of range", () -> r.tracker.loadState(r.cluster, dump));
        }
        r.assertUntouched();
    }

    @Test
    void duplicateKeysAreRejected() {
        Receiver r = new Receiver();
        byte[] dump = dump();
        System.arraycopy(dump, DumpBytes.key(dump, TcpStateCodec.FLOWS, 0), dump, DumpBytes.key(dump, TcpStateCodec.FLOWS, 1), 8);
        assertMessageContains("twice", () -> r.tracker.loadState(r.cluster, resealed(dump)));
        r.assertUntouched();
    }

    @Test
    void nullAndEmptyAreRejected() {
        Receiver r = new Receiver();
        assertMessageContains("tcp tracker state", () -> r.tracker.loadState(r.cluster, null));
        assertMessageContains("truncated", () -> r.tracker.loadState(r.cluster, new byte[0]));
        r.assertUntouched();
    }

    // ------------------------------------------------------------------ helpers

    /** Recomputes the CRC, so that a deliberate change reaches the checks behind it. */
    static byte[] resealed(byte[] dump) {
        return DumpBytes.resealed(dump);
    }

    static Map<Long, String> entries(SessionTable table) {
        Map<Long, String> entries = new TreeMap<>();
        table.forEach((key, owner, lastSeen, state) -> entries.put(key, owner + "/" + lastSeen + "/" + state));
        return entries;
    }

    /** A tracker holding a known state, to check that failed loads leave it alone. */
    private static final class Receiver {
        final FakeCluster cluster = new FakeCluster("nlb0", 42);
        final TcpTracker tracker = new TcpTracker(TIMEOUTS, 1_000, 100);
        final byte[] before;

        Receiver() {
            tracker.clusterCreated(cluster);
            tracker.assigned(cluster, tcp4(v4(172, 16, 0, 1), 1, SYN), A);
            tracker.assigned(cluster, tcp4(v4(172, 16, 0, 2), 2, ACK), B);
            tracker.assigned(cluster, tcpLeading4(v4(172, 16, 0, 1), 1, SYN, 1), A);
            before = tracker.saveState(cluster);
        }

        void assertUntouched() {
            assertArrayEquals(before, tracker.saveState(cluster));
        }
    }
}
