package lnlb.module.udp.internal;

import lnlb.core.testing.Packets;
import lnlb.core.testing.FakeCluster;
import lnlb.core.testing.Nodes;

import static lnlb.core.testing.Packets.UDP;
import static lnlb.core.testing.Packets.trailing4;
import static lnlb.core.testing.Packets.udp4;
import static lnlb.core.testing.Packets.udp6;
import static lnlb.core.testing.Packets.v4;
import static lnlb.module.udp.internal.UdpTrackerTest.A;
import static lnlb.module.udp.internal.UdpTrackerTest.B;
import static lnlb.module.udp.internal.UdpTrackerTest.C;
import static lnlb.module.udp.internal.UdpTrackerTest.FRAGMENT_LIFE;
import static lnlb.module.udp.internal.UdpTrackerTest.IDLE;
import static lnlb.module.udp.internal.UdpTrackerTest.assertMessageContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import lnlb.core.api.NodeAddress;
import lnlb.core.api.table.FlowKeys;
import lnlb.core.api.table.SessionTable;
import lnlb.core.api.table.StateDump;
import lnlb.core.testing.DumpBytes;
import org.junit.jupiter.api.Test;

/** saveState/loadState: the format, round trips, the older version, corrupt dumps. */
class UdpTrackerStateTest {
    private static final int CLIENT = v4(10, 2, 0, 1);
    private static final int FLOWS = 30;
    private static final int FRAGMENTS = 5;
    private static final long START = 1_000_000;
    private static final long SAVED = 1_010_000;

    private final FakeCluster sender = new FakeCluster("nlb0", START);
    private final UdpTracker senderTracker = new UdpTracker(IDLE, FRAGMENT_LIFE, 1_000, 100);

    UdpTrackerStateTest() {
        senderTracker.clusterCreated(sender);
    }

    /** Flows 10.2.0.1:5000+i seen at START + i*100, an IPv6 flow, 5 fragmented datagrams; saved at SAVED. */
    private byte[] dump(int version) {
        for (int i = 0; i < FLOWS; i++) {
            sender.now = START + i * 100L;
            senderTracker.assigned(sender, udp4(CLIENT, 5000 + i), Nodes.MACS[i % 3]);
        }
        sender.now = START + FLOWS * 100L;
        senderTracker.assigned(sender, udp6(0xBEEF, 53), C);
        for (int f = 0; f < FRAGMENTS; f++) {
            sender.now = START + 4_000 + f * 100L;
            senderTracker.assigned(sender, trailing4(UDP, CLIENT, 100 + f, 1480, true), Nodes.MACS[f % 3]);
        }
        sender.now = SAVED;
        return UdpStateCodec.encode(senderTracker.tables(sender), SAVED, IDLE, FRAGMENT_LIFE, version);
    }

    private byte[] dump() {
        byte[] dump = dump(UdpStateCodec.VERSION);
        assertArrayEquals(dump, senderTracker.saveState(sender), "saveState writes the current version");
        return dump;
    }

    @Test
    void layout() {
        byte[] dump = dump();
        ByteBuffer in = ByteBuffer.wrap(dump);
        assertEquals("LNUD", new String(dump, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(2, in.getShort(4));
        assertEquals(SAVED, in.getLong(6));
        assertEquals(2, in.get(14));
        assertEquals(IDLE, in.getLong(15));
        assertEquals(FRAGMENT_LIFE, in.getLong(23));
        assertEquals(2, in.get(31));
        StateDump read = StateDump.read(dump, UdpStateCodec.MAGIC, "test");
        assertEquals(FLOWS + 1, read.entries(UdpStateCodec.FLOWS));
        assertEquals(FRAGMENTS, read.entries(UdpStateCodec.FRAGMENTS));
        boolean found = false;
        for (int i = 0; i < read.entries(UdpStateCodec.FLOWS); i++) {
            if (read.key(UdpStateCodec.FLOWS, i) == FlowKeys.flow(udp4(CLIENT, 5003))) {
                assertEquals(A, read.owner(UdpStateCodec.FLOWS, i));
                assertEquals(START + 300, read.lastSeen(UdpStateCodec.FLOWS, i));
                assertEquals(0, read.state(UdpStateCodec.FLOWS, i));
                found = true;
            }
        }
        assertTrue(found);
    }

    @Test
    void version1CarriesTheFlowsOnly() {
        byte[] dump = dump(UdpStateCodec.VERSION_1);
        ByteBuffer in = ByteBuffer.wrap(dump);
        assertEquals(1, in.getShort(4));
        assertEquals(1, in.get(14));
        StateDump read = StateDump.read(dump, UdpStateCodec.MAGIC, "test");
        assertEquals(1, read.tables());
        assertEquals(FLOWS + 1, read.entries(UdpStateCodec.FLOWS));
        assertThrows(IllegalArgumentException.class, () -> UdpStateCodec.encode(null, 0, IDLE, FRAGMENT_LIFE, 0));
    }

    @Test
    void emptyAndUnknownClustersSaveAnEmptyDump() {
        byte[] empty = senderTracker.saveState(sender);
        assertEquals(15 + 16 + 1 + 8 + 8 + 4, empty.length);
        assertArrayEquals(empty, senderTracker.saveState(new FakeCluster("nlb7", START)));
        Receiver r = new Receiver();
        r.tracker.loadState(r.cluster, empty);
        assertEquals(0, r.tracker.entries(r.cluster));
    }

    @Test
    void aRoundTripShiftsEveryTimeIntoTheReceiversClock() {
        byte[] dump = dump();
        FakeCluster cluster = new FakeCluster("nlb0", 77_000);
        UdpTracker receiver = new UdpTracker(IDLE, FRAGMENT_LIFE, 1_000, 100);
        receiver.loadState(cluster, dump);
        assertEquals(FLOWS + 1, receiver.entries(cluster));
        assertEquals(FRAGMENTS, receiver.fragments(cluster));
        assertEquals(C, receiver.related(cluster, udp6(0xBEEF, 53)));
        // Flow i was seen SAVED - START - i*100 before the dump; reload before each probe, since a
        // probe refreshes the flow.
        for (int i = 0; i < FLOWS; i++) {
            long age = SAVED - START - i * 100L;
            cluster.now = 77_000;
            receiver.loadState(cluster, dump);
            cluster.now = 77_000 + IDLE - age - 1;
            assertEquals(Nodes.MACS[i % 3], receiver.related(cluster, udp4(CLIENT, 5000 + i)), "just before expiry " + i);
            cluster.now = 77_000;
            receiver.loadState(cluster, dump);
            cluster.now = 77_000 + IDLE - age;
            assertEquals(NodeAddress.NONE, receiver.related(cluster, udp4(CLIENT, 5000 + i)), "at expiry " + i);
        }
        for (int f = 0; f < FRAGMENTS; f++) {
            long age = SAVED - START - 4_000 - f * 100L;
            cluster.now = 77_000 + FRAGMENT_LIFE - age - 1;
            assertEquals(Nodes.MACS[f % 3], receiver.related(cluster, trailing4(UDP, CLIENT, 100 + f, 8, false)));
            cluster.now = 77_000 + FRAGMENT_LIFE - age;
            assertEquals(NodeAddress.NONE, receiver.related(cluster, trailing4(UDP, CLIENT, 100 + f, 8, false)));
        }
    }

    @Test
    void aReloadedDumpHoldsTheSameEntries() {
        byte[] dump = dump();
        FakeCluster cluster = new FakeCluster("nlb0", SAVED);
        UdpTracker receiver = new UdpTracker(IDLE, FRAGMENT_LIFE, 1_000, 100);
        receiver.loadState(cluster, dump);
        assertEquals(entries(senderTracker.tables(sender).flows()), entries(receiver.tables(cluster).flows()));
        assertEquals(entries(senderTracker.tables(sender).fragments().table()),
                entries(receiver.tables(cluster).fragments().table()));
    }

    @Test
    void aVersion1DumpIsReadByThisVersion() {
        byte[] dump = dump(UdpStateCodec.VERSION_1);
        FakeCluster cluster = new FakeCluster("nlb0", SAVED);
        Receiver r = new Receiver();
        r.tracker.loadState(cluster, dump);
        assertEquals(FLOWS + 1, r.tracker.entries(cluster));
        assertEquals(0, r.tracker.fragments(cluster));
        assertEquals(entries(senderTracker.tables(sender).flows()), entries(r.tracker.tables(cluster).flows()));
    }

    @Test
    void anOverfullDumpKeepsTheMostRecentlySeen() {
        byte[] dump = dump();
        FakeCluster cluster = new FakeCluster("nlb0", SAVED);
        UdpTracker receiver = new UdpTracker(IDLE, FRAGMENT_LIFE, 5, 2);
        receiver.loadState(cluster, dump);
        assertEquals(5, receiver.entries(cluster));
        assertEquals(C, receiver.related(cluster, udp6(0xBEEF, 53)));
        for (int i = 26; i < FLOWS; i++) {
            assertEquals(Nodes.MACS[i % 3], receiver.related(cluster, udp4(CLIENT, 5000 + i)));
        }
        assertEquals(NodeAddress.NONE, receiver.related(cluster, udp4(CLIENT, 5025)));
        assertEquals(2, receiver.fragments(cluster));
    }

    // ------------------------------------------------------------------ corrupt dumps

    @Test
    void everyTruncationOfEitherVersionIsRejectedAndTheTablesKept() {
        Receiver r = new Receiver();
        for (byte[] dump : new byte[][] {dump(), dump(UdpStateCodec.VERSION_1)}) {
            for (int length = 0; length < dump.length; length++) {
                byte[] cut = Arrays.copyOf(dump, length);
                assertThrows(IllegalArgumentException.class, () -> r.tracker.loadState(r.cluster, cut), "length " + length);
            }
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
    void wrongModuleVersionShapeStateAndTimeoutsAreRejected() {
        Receiver r = new Receiver();
        byte[] tcp = StateDump.write(0x4C4E_5443, 2, 0, new long[5], null, null);
        assertMessageContains("magic", () -> r.tracker.loadState(r.cluster, tcp));
        for (int version : new int[] {0, 3}) {
            byte[] dump = dump();
            ByteBuffer.wrap(dump).putShort(4, (short) version);
            assertMessageContains("version " + version, () -> r.tracker.loadState(r.cluster, resealed(dump)));
        }
        byte[] v2OneTable = StateDump.write(UdpStateCodec.MAGIC, 2, 0, new long[] {IDLE, FRAGMENT_LIFE},
                new SessionTable(10, 1_000));
        assertMessageContains("carries", () -> r.tracker.loadState(r.cluster, v2OneTable));
        byte[] stated = dump();
        ByteBuffer.wrap(stated).putInt(DumpBytes.state(stated, UdpStateCodec.FLOWS, 0), 1);
        assertMessageContains("state word", () -> r.tracker.loadState(r.cluster, resealed(stated)));
        byte[] zeroIdle = StateDump.write(UdpStateCodec.MAGIC, 2, 0, new long[] {0, FRAGMENT_LIFE}, null, null);
        assertMessageContains("not positive", () -> r.tracker.loadState(r.cluster, zeroIdle));
        byte[] duplicate = dump();
        System.arraycopy(duplicate, DumpBytes.key(duplicate, UdpStateCodec.FLOWS, 0), duplicate,
                DumpBytes.key(duplicate, UdpStateCodec.FLOWS, 1), 8);
        assertMessageContains("twice", () -> r.tracker.loadState(r.cluster, resealed(duplicate)));
        assertMessageContains("udp tracker state", () -> r.tracker.loadState(r.cluster, null));
        r.assertUntouched();
    }

    // ------------------------------------------------------------------ helpers

    static byte[] resealed(byte[] dump) {
        return DumpBytes.resealed(dump);
    }

    static Map<Long, String> entries(SessionTable table) {
        Map<Long, String> entries = new TreeMap<>();
        table.forEach((key, owner, lastSeen, state) -> entries.put(key, owner + "/" + lastSeen + "/" + state));
        return entries;
    }

    private static final class Receiver {
        final FakeCluster cluster = new FakeCluster("nlb0", 42);
        final UdpTracker tracker = new UdpTracker(IDLE, FRAGMENT_LIFE, 1_000, 100);
        final byte[] before;

        Receiver() {
            tracker.clusterCreated(cluster);
            tracker.assigned(cluster, udp4(v4(172, 16, 0, 1), 1), A);
            tracker.assigned(cluster, udp4(v4(172, 16, 0, 2), 2), B);
            tracker.assigned(cluster, Packets.udpLeading4(v4(172, 16, 0, 1), 1, 1), A);
            before = tracker.saveState(cluster);
        }

        void assertUntouched() {
            assertArrayEquals(before, tracker.saveState(cluster));
        }
    }
}
